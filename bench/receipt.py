"""How fast a donor's receipt renders: a donation of 500 items (one full line) and of 1,000 (two).

    .venv/bin/python -m bench.receipt

Makes the donations once (through receive_donation) in the default database, then loads each receipt
page through Django's test client, signed in as a superuser (session, permissions and all), and prints
the median of --runs, the time spent drawing the QR codes alone, and the page's size.
"""

import argparse
import os
import statistics
import time
from datetime import timedelta
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yicang.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from stores.models import Category, Donation, Warehouse  # noqa: E402
from stores.receipts import donation_items, receipt_lines  # noqa: E402
from stores.services.items import MAX_ITEMS_A_LINE, IntakeLine, receive_donation  # noqa: E402
from yicang.community.models import Community, User  # noqa: E402

BASE_URL = "https://yicang.example.org"


def donation(lines: int) -> Donation:
    community, _ = Community.objects.get_or_create(
        code="receipt-bench",
        defaults={"province": "四川省", "city": "成都市", "district": "锦江区", "street": "水井坊街道", "name": "收据"},
    )
    warehouse, _ = Warehouse.objects.get_or_create(
        community=community, name="基准义仓", defaults={"public_place": "水井坊社区义仓"}
    )
    clerk, _ = User.objects.get_or_create(username="receipt-bench")
    rice, _ = Category.objects.get_or_create(name="大米", defaults={"unit": "kg", "perishable": True})
    note = f"bench {lines}"
    found = Donation.objects.filter(warehouse=warehouse, note=note).first()
    if found is not None:
        return found
    soon = timezone.localdate() + timedelta(days=180)
    typed = [
        IntakeLine(category=rice, count=MAX_ITEMS_A_LINE, quantity=Decimal(10 + n), expires_on=soon)
        for n in range(lines)
    ]
    return receive_donation(warehouse=warehouse, lines=typed, by=clerk, note=note)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    settings.YICANG_PUBLIC_URL = BASE_URL
    admin, _ = User.objects.get_or_create(username="receipt-bench-admin", defaults={"is_staff": True})
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(User.objects.get(pk=admin.pk))
    print(f"database: {connection.vendor}, median of {args.runs}\n")
    print(f"{'items':>6} {'page ms':>8} {'QR ms':>7} {'page KB':>8} {'gzip KB':>8}")
    for lines in (1, 2):
        gift = donation(lines)
        items = donation_items(gift)
        pages, drawing = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get(f"/staff/store/donations/{gift.pk}/receipt/")
            pages.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
            started = time.perf_counter()
            receipt_lines(items, base_url=BASE_URL)
            drawing.append(time.perf_counter() - started)
        size = len(response.content) / 1024
        packed = (
            len(client.get(f"/staff/store/donations/{gift.pk}/receipt/", HTTP_ACCEPT_ENCODING="gzip").content) / 1024
        )
        page, qr = statistics.median(pages) * 1000, statistics.median(drawing) * 1000
        print(f"{len(items):6,} {page:8.0f} {qr:7.0f} {size:8,.0f} {packed:8,.0f}")


if __name__ == "__main__":
    main()
