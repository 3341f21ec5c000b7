"""How the store's pages, the public trace and the monthly recount behave at the programme's size.

On top of the communities of tenancy_at_scale (run it first, or pass --communities), gives every
community a store and ITEMS_PER_COMMUNITY items received this month, a fifth of them delivered to
recipient families on a delivery plan; then times the monthly recount for every community and the
pages that read it, as their users load them.

    createdb -h 127.0.0.1 -U postgres yicang_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yicang_bench .venv/bin/python -m bench.store_at_scale

Options: --communities N --items-per-community N --runs N. The data is built once and reused.
"""

import argparse
import random
import time
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


def build_store(items_per_community: int) -> None:
    rng = random.Random(11)
    clerk, _ = User.objects.get_or_create(username="bench-clerk")
    categories = [Category.objects.get_or_create(name=n, defaults={"unit": u})[0] for n, u in CATEGORIES]
    code = seal("246810")
    now = timezone.now()
    # Resumable: a community is built in one transaction, and one with a store is done.
    for community in Community.objects.filter(warehouses__isnull=True).order_by("pk").iterator():
        with transaction.atomic():
            store = Warehouse.objects.create(community=community, name="义仓", public_place=f"{community.name}义仓")
            donation = Donation.objects.create(community=community, warehouse=store, received_by=clerk)
            centre = Centre.objects.create(community=community, name="邻里互助中心")
            plan = DeliveryPlan.objects.create(community=community, centre=centre, warehouse=store, created_by=clerk)
            households = Household.objects.filter(community=community).order_by("pk")[:FAMILIES_PER_COMMUNITY]
            families = RecipientFamily.objects.bulk_create(
                [RecipientFamily(community=community, household=h, status="active") for h in households]
            )
            deliveries = Delivery.objects.bulk_create(
                [
                    Delivery(
                        community=community,
                        plan=plan,
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
            delivered = items_per_community // 5 if deliveries else 0
            items = Item.objects.bulk_create(
                [
                    Item(
                        community=community,
                        donation=donation,
                        category=rng.choice(categories),
                        quantity=Decimal(rng.choice([1, 5, 10])),
                        unit="kg",
                        warehouse=store,
                        status="delivered" if n < delivered else "in_stock",
                        delivery=deliveries[n % len(deliveries)] if n < delivered else None,
                    )
                    for n in range(items_per_community)
                ]
            )
            events = [
                ItemEvent(item=i, kind="received", from_status="", to_status="in_stock", at=now, by=clerk)
                for i in items
            ]
            for item in items[:delivered]:
                events.append(
                    ItemEvent(
                        item=item,
                        kind="dispatched",
                        from_status="in_stock",
                        to_status="dispatched",
                        at=now,
                        by=clerk,
                        delivery=item.delivery,
                    )
                )
                events.append(
                    ItemEvent(
                        item=item,
                        kind="delivered",
                        from_status="dispatched",
                        to_status="delivered",
                        at=now,
                        by=clerk,
                        delivery=item.delivery,
                    )
                )
            # Events of one item must be inserted in order: the history trigger checks each starts where
            # the last one left the item.
            events.sort(key=lambda e: {"received": 0, "dispatched": 1, "delivered": 2}[e.kind])
            ItemEvent.objects.bulk_create(events, batch_size=5000)
        if community.pk % 200 == 0:
            print(f"  community {community.pk}: {Item.objects.count():,} items", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communities", type=int, default=2_600)
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--items-per-community", type=int, default=200)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    build(args.communities, args.households)
    started = time.perf_counter()
    build_store(args.items_per_community)
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
