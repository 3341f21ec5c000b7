"""The demo's last step: count and log what the other seeders did, as the worker would have by now.

So the statistics, the 公示 pages and the public log show the demo without a worker running.
"""

from stores.services.counts import refresh_monthly_counts
from yicang.community.models import Community, User
from yicang.core.months import add_months, this_month
from yicang.ledger.log.services import extend_log, sign_checkpoint
from yicang.reports.statistics import refresh_statistics


def seed_counts(communities: list[Community], clerk: User) -> None:
    """Recount the last twelve months for every community (the worker keeps this month and last), append
    every event and transaction to the public log and sign a checkpoint."""
    for offset in range(-11, 1):
        month = add_months(this_month(), offset)
        refresh_monthly_counts(month)
        refresh_statistics(month)
    extend_log(full=True)
    sign_checkpoint()
