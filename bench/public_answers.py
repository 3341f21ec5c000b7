"""What the cache of public answers saves at the programme's size: each public page and endpoint, with
every answer recomputed (all tokens bumped before each request) and answered from the cache.

Runs on statistics_at_scale's data (2,600 communities, 300,000 households, a store per community,
volunteers, donors, hours and money), built here if missing, with the cache the settings name (Redis
when REDIS_URL is set: what production uses).

    createdb -h 127.0.0.1 -U postgres yicang_statbench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yicang_statbench REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m bench.public_answers

Options: --communities N --households N --items-per-community N --runs N. The data is built once.
"""

import argparse
import statistics
import time

from django.conf import settings
from django.core.management import call_command
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.statistics_at_scale import build_people
from bench.store_at_scale import build_store
from bench.tenancy_at_scale import build
from forums.models import Issue
from stores.models import Item
from stores.services.counts import refresh_monthly_counts
from yicang.core import public_cache
from yicang.core.months import this_month
from yicang.ledger.models import Account
from yicang.reports.models import MonthlyStatistic
from yicang.reports.statistics import refresh_statistics


def timed(client: Client, url: str, runs: int, *, fresh: bool) -> tuple[float, int]:
    """Median milliseconds and queries of `runs` requests; `fresh` bumps every token before each one."""
    client.get(url)
    timings, counts = [], []
    for _ in range(runs):
        if fresh:
            public_cache.expire_all()
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        counts.append(len(queries))
    return statistics.median(timings), max(counts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communities", type=int, default=2_600)
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--items-per-community", type=int, default=50)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    build(args.communities, args.households)
    build_store(args.items_per_community, args.communities)
    build_people()
    month = this_month()
    if not MonthlyStatistic.objects.filter(month=month).exists():
        refresh_monthly_counts(month)
        refresh_statistics(month)
    print(f"database: {connection.vendor}; cache: {str(settings.CACHES['default']['BACKEND']).rsplit('.', 1)[-1]}")

    item = Item.objects.filter(public=True, status=Item.Status.DELIVERED).order_by("pk").first()
    assert item is not None, "the store's build delivers a fifth of the items"
    fund = Account.objects.filter(community__code="c1", kind=Account.Kind.YICANG_FUND).first()
    issue = Issue.objects.order_by("pk").first()
    urls = [
        f"/t/{item.code}",
        f"/api/v1/trace/{item.code}/",
        f"/api/v1/trace/{item.code}/log/",
        "/c/c1/publicity/",
        f"/api/v1/publicity/c1/?month={month:%Y-%m}",
        "/api/v1/funds/c1/",
        *([f"/api/v1/funds/c1/{fund.pk}/"] if fund else []),
        "/api/v1/public/forums/",
        "/api/v1/public/forum-issues/?community=c1",
        *([f"/api/v1/public/forum-issues/{issue.pk}/"] if issue else []),
        "/api/v1/registers/volunteers/",
        "/api/v1/registers/volunteers/?community=c1",
        "/api/v1/registers/donor-families/",
        "/api/v1/registers/recipient-families/",
        "/statistics/",
        "/api/v1/log/key/",
    ]
    client = Client()
    print(f"\n{'page or endpoint':<48} {'computed ms':>11} {'queries':>7} {'cached ms':>9} {'queries':>7}")
    for url in urls:
        computed, computed_queries = timed(client, url, args.runs, fresh=True)
        cached, cached_queries = timed(client, url, args.runs, fresh=False)
        shown = url if len(url) <= 48 else url[:45] + "..."
        print(f"{shown:<48} {computed:>11.1f} {computed_queries:>7} {cached:>9.1f} {cached_queries:>7}")


if __name__ == "__main__":
    main()
