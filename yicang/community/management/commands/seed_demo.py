from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from yicang.community.demo import seed_demo


class Command(BaseCommand):
    help = "Load the demo neighbourhood (Shuijingfang, Chengdu) and its staff accounts. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--households", type=int, default=40, help="Households per community.")
        parser.add_argument("--allow-production", action="store_true", help="Seed even when YICANG_ENV=production.")

    def handle(self, *args: Any, households: int, allow_production: bool, **options: Any) -> None:
        """Seed, then print each demo login; a password is shown only when the account is new."""
        if settings.PRODUCTION and not allow_production:
            raise CommandError("Refusing to load demo data in production (pass --allow-production if you mean it).")
        if households < 0:
            raise CommandError("--households cannot be negative.")
        accounts = seed_demo(households)
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at http://127.0.0.1:8000/admin/"))
        for account in accounts:
            secret = account.password or "(exists; password unchanged — reset with `manage.py changepassword`)"
            self.stdout.write(f"  {account.username:<14} {secret:<16}  {account.description}")
