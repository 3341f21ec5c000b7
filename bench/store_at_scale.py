"""How the store's pages, the public trace and the monthly recount behave at the programme's size.

On top of the communities of tenancy_at_scale (run it first, or pass --communities), gives every
community a store and ITEMS_PER_COMMUNITY items received this month, a fifth of them delivered to
recipient families on a delivery plan; then times the monthly recount for every community and the
pages that read it, as their users load them.

    createdb -h 127.0.0.1 -U postgres yicang_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yicang_bench .venv/bin/python -m bench.store_at_scale

Options: --communities N --households N --store-communities N --items-per-community N --runs N.
The data is built once and reused; a community with a store is not built again.
"""

import argparse
import random
import time
from datetime import datetime
from decimal import Decimal

from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from bench.tenancy_at_scale import build, measure, staff_client
from recipients.models import RecipientFamily
from stores.models import Category, Delivery, DeliveryPlan, Donation, Item, ItemEvent, Warehouse
from stores.services.counts import refresh_monthly_counts
from volunteers.models import Centre
from yicang.community.models import Community, Household, User
from yicang.core.crypto import seal
from yicang.core.months import this_month

CATEGORIES = [("大米", "kg"), ("食用油", "瓶"), ("面粉", "kg"), ("洗衣液", "瓶"), ("冬衣", "件"), ("书包", "个")]
FAMILIES_PER_COMMUNITY = 5
CHUNK = 100  # communities a transaction


def build_store(items_per_community: int, communities: int) -> None:
    """Stores, plans and items for the first `communities` communities, CHUNK communities a transaction."""
    rng = random.Random(11)
    clerk, _ = User.objects.get_or_create(username="bench-clerk")
    categories = [Category.objects.get_or_create(name=n, defaults={"unit": u})[0] for n, u in CATEGORIES]
    code = seal("246810")
    now = timezone.now()
    first_ones = Community.objects.order_by("pk").values_list("pk", flat=True)[:communities]
    todo = list(Community.objects.filter(pk__in=list(first_ones), warehouses__isnull=True).values_list("pk", flat=True))
    households: dict[int, list[int]] = {}
    for household_id, community_id in Household.objects.order_by("pk").values_list("pk", "community_id"):
        kept = households.setdefault(community_id, [])
        if len(kept) < FAMILIES_PER_COMMUNITY:
            kept.append(household_id)
    for first in range(0, len(todo), CHUNK):
        with transaction.atomic():
            _build_chunk(
                todo[first : first + CHUNK], households, categories, clerk, code, now, rng, items_per_community
            )
        print(f"  {min(first + CHUNK, len(todo)):,} of {len(todo):,} communities", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _build_chunk(
    ids: list[int],
    households: dict[int, list[int]],
    categories: list[Category],
    clerk: User,
    code: str,
    now: datetime,
    rng: random.Random,
    per_community: int,
) -> None:
    stores = Warehouse.objects.bulk_create(
        [Warehouse(community_id=c, name="义仓", public_place=f"社区{c}义仓") for c in ids]
    )
    donations = Donation.objects.bulk_create(
        [Donation(community_id=w.community_id, warehouse=w, received_by=clerk, received_at=now) for w in stores]
    )
    centres = Centre.objects.bulk_create([Centre(community_id=c, name="邻里互助中心") for c in ids])
    plans = DeliveryPlan.objects.bulk_create(
        [
            DeliveryPlan(community_id=w.community_id, centre=centre, warehouse=w, created_by=clerk)
            for w, centre in zip(stores, centres, strict=True)
        ]
    )
    families = RecipientFamily.objects.bulk_create(
        [RecipientFamily(community_id=c, household_id=h, status="active") for c in ids for h in households.get(c, [])]
    )
    plan_of = {plan.community_id: plan for plan in plans}
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                community_id=f.community_id,
                plan=plan_of[f.community_id],
                family=f,
                code_sealed=code,
                status="delivered",
                confirmation="family_code",
                confirmed_at=now,
                confirmed_by=clerk,
            )
            for f in families
        ]
    )
    by_community: dict[int, list[Delivery]] = {}
    for d in deliveries:
        by_community.setdefault(d.community_id, []).append(d)
    items = []
    for w, donation in zip(stores, donations, strict=True):
        visits = by_community.get(w.community_id, [])
        delivered = per_community // 5 if visits else 0
        items += [
            Item(
                community_id=w.community_id,
                donation=donation,
                category=rng.choice(categories),
                quantity=Decimal(rng.choice([1, 5, 10])),
                unit="kg",
                warehouse=w,
                status="delivered" if n < delivered else "in_stock",
                delivery=visits[n % len(visits)] if n < delivered else None,
            )
            for n in range(per_community)
        ]
    items = Item.objects.bulk_create(items, batch_size=5000)
    # One item's events in order: the history trigger checks each starts where the last left the item.
    steps = [("received", "", "in_stock")]
    ItemEvent.objects.bulk_create(
        [ItemEvent(item=i, kind=k, from_status=f, to_status=t, at=now, by=clerk) for i in items for k, f, t in steps],
        batch_size=5000,
    )
    out = [i for i in items if i.status == "delivered"]
    for kind, start, end in [("dispatched", "in_stock", "dispatched"), ("delivered", "dispatched", "delivered")]:
        ItemEvent.objects.bulk_create(
            [
                ItemEvent(item=i, kind=kind, from_status=start, to_status=end, at=now, by=clerk, delivery=i.delivery)
                for i in out
            ],
            batch_size=5000,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communities", type=int, default=2_600)
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--items-per-community", type=int, default=200)
    parser.add_argument("--store-communities", type=int, default=2_600, help="how many communities get a store")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    build(args.communities, args.households)
    started = time.perf_counter()
    build_store(args.items_per_community, args.store_communities)
    print(
        f"data: {Community.objects.count():,} communities, {Item.objects.count():,} items, "
        f"{ItemEvent.objects.count():,} events ({time.perf_counter() - started:.0f} s to build or check)"
    )
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        rows = refresh_monthly_counts(this_month())
        timings.append(time.perf_counter() - started)
    print(f"monthly recount, every community: {rows:,} rows in {min(timings):.2f}-{max(timings):.2f} s (3 runs)")

    item = Item.objects.filter(community__code="c1", status="delivered").first()
    assert item is not None
    staff = staff_client("bench-staff")
    public = Client()
    pages = [
        ("anyone", public, "/c/c1/publicity/"),
        ("anyone", public, f"/api/v1/publicity/c1/?month={this_month():%Y-%m}"),
        ("anyone", public, f"/t/{item.code}"),
        ("centre staff", staff, "/admin/stores/item/"),
        ("centre staff", staff, f"/admin/stores/item/?q={item.code}"),
        ("centre staff", staff, "/admin/stores/monthlycategorycount/"),
    ]
    print(f"\n{'who':<14} {'page':<44} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    for who, client, url in pages:
        median, worst, queries = measure(client, url, args.runs)
        print(f"{who:<14} {url[:44]:<44} {median:>10.1f} {worst:>8.1f} {queries:>8}")


if __name__ == "__main__":
    main()
