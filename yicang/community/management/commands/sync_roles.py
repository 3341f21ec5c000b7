from typing import Any

from django.core.management.base import BaseCommand

from yicang.community.services import sync_role_groups


class Command(BaseCommand):
    help = "Create or update the permission group of each staff role. Run after every migrate."

    def handle(self, *args: Any, **options: Any) -> None:
        """Write the role groups from ROLE_PERMISSIONS; idempotent."""
        for group in sync_role_groups():
            self.stdout.write(f"{group.name}: {group.permissions.count()} permissions")
