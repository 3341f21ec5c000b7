"""How fast label sheets render: 1,000 labels of each layout, in this process (no worker).

    .venv/bin/python -m bench.labels

Makes --labels items once (two donations through receive_donation) in the default database, then for
each layout times render_labels alone (median of --runs) and one whole render_label_sheet task (load
the items, render, write progress every PROGRESS_EVERY labels, save the file, mark it done).
"""

import argparse
import os
import statistics
import tempfile
import time
from datetime import timedelta
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yicang.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from stores.labels import PROGRESS_EVERY, render_labels  # noqa: E402
from stores.models import Category, Item, LabelSheet, Warehouse  # noqa: E402
from stores.services.items import MAX_ITEMS_A_LINE, IntakeLine, receive_donation  # noqa: E402
from stores.tasks import render_label_sheet  # noqa: E402
from yicang.community.models import Community, User  # noqa: E402

# As long as a real public address: 43 characters with the path and code, a version 4 QR (33 by 33 modules).
BASE_URL = "https://yicang.example.org"


def stock(count: int) -> list[Item]:
    community, _ = Community.objects.get_or_create(
        code="labels-bench",
        defaults={"province": "四川省", "city": "成都市", "district": "锦江区", "street": "水井坊街道", "name": "标签"},
    )
    warehouse, _ = Warehouse.objects.get_or_create(
        community=community, name="基准义仓", defaults={"public_place": "水井坊社区义仓"}
    )
    clerk, _ = User.objects.get_or_create(username="labels-bench")
    rice, _ = Category.objects.get_or_create(name="大米", defaults={"unit": "kg", "perishable": True})
    have = Item.objects.filter(warehouse=warehouse).count()
    while have < count:
        size = min(MAX_ITEMS_A_LINE, count - have)
        line = IntakeLine(
            category=rice, count=size, quantity=Decimal("10"), expires_on=timezone.localdate() + timedelta(days=180)
        )
        receive_donation(warehouse=warehouse, lines=[line], by=clerk)
        have += size
    return list(Item.objects.filter(warehouse=warehouse).select_related("category").order_by("pk")[:count])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--labels", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    items = stock(args.labels)
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="yicang-labels-bench-")
    settings.YICANG_PUBLIC_URL = BASE_URL
    print(f"{len(items):,} labels, database: {connection.vendor}, progress every {PROGRESS_EVERY} labels\n")
    print(f"{'layout':<15} {'render s':>9} {'labels/s':>9} {'task s':>7} {'pages':>6} {'PDF KB':>7}")
    for layout in LabelSheet.Layout.values:
        samples = []
        for _ in range(args.runs):
            started = time.perf_counter()
            pdf = render_labels(items, layout, base_url=BASE_URL)
            samples.append(time.perf_counter() - started)
        render = statistics.median(samples)
        sheet = LabelSheet.objects.create(
            community=items[0].community, layout=layout, total=len(items), created_by=items[0].donation.received_by
        )
        sheet.items.set(items)
        started = time.perf_counter()
        render_label_sheet(sheet_id=sheet.pk)
        task = time.perf_counter() - started
        pages = pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ")
        print(f"{layout:<15} {render:9.2f} {len(items) / render:9,.0f} {task:7.2f} {pages:6,} {len(pdf) / 1024:7,.0f}")


if __name__ == "__main__":
    main()
