from typing import Any

from django.core.management.base import BaseCommand

from yicang.core import public_cache


class Command(BaseCommand):
    help = (
        "Make every cached public answer stale at once. Saves through the application do this by "
        "themselves; run it after changing rows by hand (SQL), which no cache hears of."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        public_cache.expire_all()
        self.stdout.write("Every cached public answer is stale; the next request for each recomputes it.")
