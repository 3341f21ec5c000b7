"""How fast the book posts and answers balances when a community's fund has a long history.

    createdb -h 127.0.0.1 -U postgres yicang_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yicang_bench .venv/bin/python -m bench.ledger

Loads --history transactions (cash against the Yicang fund, spread over three years) with raw bulk
inserts, then times post_transaction one by one, the balance at a date, a month's statement and the
whole-book soundness check.
"""

import argparse
import os
import statistics
import time
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yicang.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

from yicang.community.models import Community  # noqa: E402
from yicang.ledger.models import Account, Leg, Transaction  # noqa: E402
from yicang.ledger.selectors import balance_at, statement  # noqa: E402
from yicang.ledger.services import Entry, post_transaction  # noqa: E402

BATCH = 10_000


def book() -> tuple[Community, Account, Account]:
    community, _ = Community.objects.get_or_create(
        code="ledger-bench",
        defaults={"province": "四川省", "city": "成都市", "district": "锦江区", "street": "水井坊街道", "name": "基准"},
    )
    cash, _ = Account.objects.get_or_create(community=community, kind=Account.Kind.CASH, name="现金")
    fund, _ = Account.objects.get_or_create(community=community, kind=Account.Kind.YICANG_FUND, name="义仓基金")
    return community, cash, fund


def load_history(community: Community, cash: Account, fund: Account, count: int) -> None:
    have = Transaction.objects.filter(community=community).count()
    start = timezone.now() - timedelta(days=3 * 365)
    step = timedelta(days=3 * 365) / max(count, 1)
    while have < count:
        size = min(BATCH, count - have)
        with transaction.atomic():
            txns = Transaction.objects.bulk_create(
                [
                    Transaction(community=community, posted_at=start + step * (have + n), reason="义集收入")
                    for n in range(size)
                ]
            )
            Leg.objects.bulk_create(
                [
                    leg
                    for t in txns
                    for leg in (
                        Leg(transaction=t, account=cash, amount=500, posted_at=t.posted_at),
                        Leg(transaction=t, account=fund, amount=-500, posted_at=t.posted_at),
                    )
                ]
            )
        have += size
        print(f"  {have:,} transactions", flush=True)
    for account in (cash, fund):
        total = Leg.objects.filter(account=account).aggregate(t=Sum("amount"))["t"] or 0
        Account.objects.filter(pk=account.pk).update(balance=total)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(runs: int, work: object) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--history", type=int, default=200_000, help="transactions already in the book")
    parser.add_argument("--postings", type=int, default=1_000, help="postings timed one by one")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    community, cash, fund = book()
    started = time.perf_counter()
    load_history(community, cash, fund, args.history)
    legs = Leg.objects.filter(account=cash).count()
    print(f"history: {legs:,} legs on the cash account ({time.perf_counter() - started:.0f} s to load or check)")
    print(f"database: {connection.vendor}\n")

    started = time.perf_counter()
    for n in range(args.postings):
        entries = [Entry(cash, 100), Entry(fund, -100)]
        post_transaction(community=community, entries=entries, reason=f"捐款 {n}", by=None)
    elapsed = time.perf_counter() - started
    print(
        f"post_transaction, one at a time: {args.postings / elapsed:,.0f} per second "
        f"({elapsed / args.postings * 1000:.2f} ms each)"
    )

    cash.refresh_from_db()
    moment = timezone.now() - timedelta(days=400)
    month_start = timezone.now() - timedelta(days=60)
    for label, work in [
        ("balance_at (a date 400 days ago)", lambda: balance_at(cash, moment)),
        ("balance_at (now: every leg)", lambda: balance_at(cash, timezone.now())),
        ("statement of a month", lambda: statement(cash, month_start, month_start + timedelta(days=30))),
        ("kept balance (one row)", lambda: Account.objects.get(pk=cash.pk).balance),
    ]:
        median, worst = timed(20, work)
        print(f"{label:<36} median {median:8.2f} ms   max {worst:8.2f} ms")
    median, worst = timed(3, lambda: call_command("check_ledger", verbosity=0))
    print(f"{'check_ledger (whole book)':<36} median {median:8.2f} ms   max {worst:8.2f} ms")


if __name__ == "__main__":
    main()
