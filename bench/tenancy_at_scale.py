"""How the tenant-scoped pages and endpoints behave at the programme's size.

Builds 2,600 communities and 300,000 households (about 750,000 residents) in the database named by
DATABASE_URL, then times each page as a signed-in user would load it, through Django's test client.

    createdb -h 127.0.0.1 -U postgres yicang_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yicang_bench .venv/bin/python -m bench.tenancy_at_scale

Options: --communities N --households N --runs N. The data is built once and reused by later runs.
"""

import argparse
import os
import random
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yicang.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from yicang.community.models import Community, Household, Resident, StaffMembership, User  # noqa: E402
from yicang.community.services import add_staff_member  # noqa: E402

BATCH = 20_000


def build(communities: int, households: int) -> None:
    if Community.objects.count() >= communities and Household.objects.count() >= households:
        return
    rng = random.Random(7)
    Community.objects.bulk_create(
        [
            Community(
                province="四川省",
                city=f"城市{i % 98}",
                district=f"区{i % 7}",
                street=f"街道{i % 40}",
                name=f"社区{i}",
                code=f"c{i}",
            )
            for i in range(communities)
        ],
        ignore_conflicts=True,
    )
    ids = list(Community.objects.values_list("pk", flat=True))
    made = Household.objects.count()
    while made < households:
        chunk = Household.objects.bulk_create(
            [
                Household(community_id=ids[(made + n) % len(ids)], name=f"家{made + n}", address=f"街{n % 90}号")
                for n in range(min(BATCH, households - made))
            ]
        )
        Resident.objects.bulk_create(
            [
                Resident(community_id=h.community_id, household_id=h.pk, name=f"居民{h.pk}-{k}", birth_year=1960)
                for h in chunk
                for k in range(rng.choice([1, 2, 3, 4]))
            ]
        )
        made += len(chunk)
        print(f"  {made:,} households", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def staff_client(username: str, *, national: bool = False) -> Client:
    user, _ = User.objects.get_or_create(
        username=username, defaults={"is_staff": True, "is_superuser": national, "is_national": national}
    )
    if not national:
        add_staff_member(user=user, community=Community.objects.get(code="c1"), role=StaffMembership.Role.MANAGER)
    client = Client()
    client.force_login(user)
    return client


def measure(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    client.get(url)  # warm the connection and caches
    timings = []
    for _ in range(runs):
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings), max(timings), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communities", type=int, default=2_600)
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build(args.communities, args.households)
    print(
        f"data: {Community.objects.count():,} communities, {Household.objects.count():,} households, "
        f"{Resident.objects.count():,} residents ({time.perf_counter() - started:.0f} s to build or check)"
    )
    print(f"database: {connection.vendor}")

    clients = {
        "centre staff of one community": staff_client("bench-staff"),
        "national staff": staff_client("bench-national", national=True),
    }
    urls = [
        "/api/v1/households/",
        "/api/v1/residents/?page=3",
        "/admin/community/household/",
        "/admin/community/household/?q=家12",
        "/admin/community/community/",
        "/staff/",
        "/staff/c/c1/",
        "/",
    ]
    print(f"\n{'who':<32} {'page':<38} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    for who, client in clients.items():
        for url in urls:
            median, worst, queries = measure(client, url, args.runs)
            print(f"{who:<32} {url:<38} {median:>10.1f} {worst:>8.1f} {queries:>8}")


if __name__ == "__main__":
    main()
