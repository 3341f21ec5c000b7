"""How the statistics refresh, the public statistics page and a report behave at the programme's size.

On top of tenancy_at_scale's communities and households and store_at_scale's stores, items and
deliveries (built here if missing), gives every community volunteers, groups, compassion families,
confirmed hours (each with its credit in the ledger) and money raised and spent through its Yicang
fund; then times the store's monthly recount, the statistics refresh of a month, the public page and
a city's twelve-month report in all three formats.

    createdb -h 127.0.0.1 -U postgres yicang_statbench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yicang_statbench .venv/bin/python -m bench.statistics_at_scale

Options: --communities N --households N --items-per-community N --runs N. The data is built once.
"""

import argparse
import random
import time
from pathlib import Path
from tempfile import TemporaryDirectory

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from bench.store_at_scale import build_store
from bench.tenancy_at_scale import build, measure
from donors.models import CompassionFamily
from stores.services.counts import refresh_monthly_counts
from volunteers.models import Group, TimeDonation, Volunteer
from yicang.community.models import Community, Resident, User
from yicang.core.months import add_months, this_month
from yicang.ledger.models import Account, Leg, Transaction
from yicang.reports.models import MonthlyStatistic, ReportRequest
from yicang.reports.statistics import refresh_statistics
from yicang.reports.tasks import render_report

PEOPLE_PER_COMMUNITY = 20  # volunteers and compassion families, each
DONATIONS_PER_VOLUNTEER = 2
MONEY_PER_COMMUNITY = 10
CHUNK = 100


def build_people() -> None:
    """Volunteers, groups, donors, hours and money for every community without volunteers yet."""
    rng = random.Random(13)
    clerk, _ = User.objects.get_or_create(username="bench-clerk")
    todo = list(Community.objects.filter(volunteers__isnull=True).order_by("pk").values_list("pk", flat=True))
    for first in range(0, len(todo), CHUNK):
        with transaction.atomic():
            _build_chunk(todo[first : first + CHUNK], clerk, rng)
        print(f"  {min(first + CHUNK, len(todo)):,} of {len(todo):,} communities", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _build_chunk(ids: list[int], clerk: User, rng: random.Random) -> None:
    now = timezone.now()
    today = timezone.localdate()
    residents: dict[int, list[Resident]] = {}
    for resident in Resident.objects.filter(community_id__in=ids).order_by("pk").select_related("household"):
        kept = residents.setdefault(resident.community_id, [])
        if len(kept) < PEOPLE_PER_COMMUNITY:
            kept.append(resident)
    volunteers = Volunteer.objects.bulk_create(
        [Volunteer(community_id=c, resident=r) for c in ids for r in residents.get(c, [])]
    )
    Group.objects.bulk_create([Group(community_id=c, name=f"志愿队{n}", kind="volunteer") for c in ids for n in (1, 2)])
    households = {r.household_id for rs in residents.values() for r in rs if r.household_id is not None}
    CompassionFamily.objects.bulk_create(
        [
            CompassionFamily(community_id=c, household_id=h, joined_on=today)
            for c in ids
            for h in sorted({r.household_id for r in residents.get(c, []) if r.household_id is not None})
        ]
    )
    pools = {
        a.community_id: a
        for a in Account.objects.bulk_create(
            [Account(community_id=c, kind="time_pool", unit="MIN", name="时间池") for c in ids]
        )
    }
    household_of = {r.household_id: r.community_id for rs in residents.values() for r in rs}
    times = {
        a.household_id: a
        for a in Account.objects.bulk_create(
            [
                Account(community_id=household_of[h], kind="time", unit="MIN", household_id=h, name="时间")
                for h in sorted(households)
            ]
        )
    }
    cash = {
        a.community_id: a
        for a in Account.objects.bulk_create(
            [Account(community_id=c, kind="cash", unit="CNY", name="现金") for c in ids]
        )
    }
    funds = {
        a.community_id: a
        for a in Account.objects.bulk_create(
            [Account(community_id=c, kind="yicang_fund", unit="CNY", name="义仓基金") for c in ids]
        )
    }
    donations = [(v, rng.choice([30, 60, 90, 120])) for v in volunteers for _ in range(DONATIONS_PER_VOLUNTEER)]
    credits = Transaction.objects.bulk_create(
        [Transaction(community_id=v.community_id, posted_at=now, reason="志愿时间") for v, _m in donations]
    )
    resident_of = {r.pk: r for rs in residents.values() for r in rs}
    legs = []
    for (volunteer, minutes), credit in zip(donations, credits, strict=True):
        household_id = resident_of[volunteer.resident_id].household_id
        assert household_id is not None
        legs += [
            Leg(transaction=credit, account=times[household_id], amount=minutes, posted_at=now),
            Leg(transaction=credit, account=pools[volunteer.community_id], amount=-minutes, posted_at=now),
        ]
    TimeDonation.objects.bulk_create(
        [
            TimeDonation(
                community_id=v.community_id,
                volunteer=v,
                minutes=m,
                kind="delivery",
                given_on=today,
                description="入户",
                status="confirmed",
                recorded_by=clerk,
                decided_by=clerk,
                decided_at=now,
                credit=credit,
            )
            for (v, m), credit in zip(donations, credits, strict=True)
        ]
    )
    money = Transaction.objects.bulk_create(
        [Transaction(community_id=c, posted_at=now, reason="义集") for c in ids for _ in range(MONEY_PER_COMMUNITY)]
    )
    for n, txn in enumerate(money):
        amount = rng.choice([1000, 5000, 20000])
        raised = n % 3 != 2  # two in three raise money, one in three spends some
        sign = 1 if raised else -1
        legs += [
            Leg(transaction=txn, account=cash[txn.community_id], amount=sign * amount, posted_at=now),
            Leg(transaction=txn, account=funds[txn.community_id], amount=-sign * amount, posted_at=now),
        ]
    Leg.objects.bulk_create(legs, batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communities", type=int, default=2_600)
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--items-per-community", type=int, default=50)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build(args.communities, args.households)
    build_store(args.items_per_community, args.communities)
    build_people()
    print(
        f"data: {Community.objects.count():,} communities, {TimeDonation.objects.count():,} time donations, "
        f"{Leg.objects.count():,} ledger legs ({time.perf_counter() - started:.0f} s to build or check)"
    )
    month = this_month()
    started = time.perf_counter()
    refresh_monthly_counts(month)
    print(f"store's monthly recount (read by the statistics): {time.perf_counter() - started:.2f} s")
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        rows = refresh_statistics(month)
        timings.append(time.perf_counter() - started)
    print(f"statistics refresh of a month: {rows:,} rows in {min(timings):.2f}-{max(timings):.2f} s (3 runs)")
    for offset in range(-11, 0):
        refresh_statistics(add_months(month, offset))
    print(f"statistics rows kept: {MonthlyStatistic.objects.count():,} (twelve months)")

    public = Client()
    city = (
        MonthlyStatistic.objects.filter(scope="city", month=month)
        .order_by("-communities")
        .values_list("key", flat=True)[0]
    )
    pages = [
        ("/statistics/", "/statistics/"),
        ("/statistics/?scope=city&key=…", f"/statistics/?scope=city&key={city}"),
        ("/statistics/?community=c1", "/statistics/?community=c1"),
    ]
    print(f"\n{'page':<34} {'median ms':>10} {'max ms':>8} {'queries':>8} {'KB':>6}")
    for shown, url in pages:
        median, worst, queries = measure(public, url, args.runs)
        size = len(public.get(url).content) / 1024
        print(f"{shown:<34} {median:>10.1f} {worst:>8.1f} {queries:>8} {size:>6.0f}")

    national, _ = User.objects.get_or_create(
        username="bench-national", defaults={"is_staff": True, "is_superuser": True, "is_national": True}
    )
    with TemporaryDirectory() as media:
        settings.MEDIA_ROOT = Path(media)
        report = ReportRequest.objects.create(
            scope="city", city=city, first_month=add_months(month, -11), last_month=month, requested_by=national
        )
        started = time.perf_counter()
        render_report(report_id=report.pk)
        elapsed = time.perf_counter() - started
        report.refresh_from_db()
        sizes = ", ".join(f"{f} {getattr(report, f).size / 1024:.0f} KB" for f in report.FORMATS)
        print(
            f"\nreport of {city} (its {report.total // 36 - 1} communities), 12 months, PDF + XLSX + CSV: "
            f"{elapsed:.2f} s, {report.total:,} steps ({sizes})"
        )
        report.delete()


if __name__ == "__main__":
    main()
