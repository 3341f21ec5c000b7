"""The demo's last step: count what the other seeders did, so the statistics and the 公示 pages show it."""

from stores.services.counts import refresh_monthly_counts
from yicang.community.models import Community, User
from yicang.core.months import this_month


def seed_counts(communities: list[Community], clerk: User) -> None:
    """Recount this month for every community (what the worker does every hour)."""
    refresh_monthly_counts(this_month())
