"""Monthly counts per community and category, recounted from the item events by the worker."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from stores.models import Donation, EventKind, ItemEvent, MonthlyCategoryCount, MonthlySummary
from stores.selectors.public import PUBLICITY
from yicang.core import public_cache
from yicang.core.months import month_bounds


@dataclass
class _Tally:
    items_in: int = 0
    quantity_in: Decimal = field(default_factory=Decimal)
    items_delivered: int = 0
    quantity_delivered: Decimal = field(default_factory=Decimal)
    items_sold: int = 0
    items_written_off: int = 0


@transaction.atomic
def refresh_monthly_counts(month: date) -> int:
    """Recount one month for every community from its item events and donations; returns the rows written.

    Counts are flows: an item delivered in November counts in November even if a correction in
    December put it back in stock (the correction is its own event). Safe to run again: the month's
    rows are replaced as a whole, in one transaction, so a reader never sees half a month.
    """
    first = month.replace(day=1)
    start, end = month_bounds(first)
    events = ItemEvent.objects.filter(at__gte=start, at__lt=end)
    tallies: dict[tuple[int, int], _Tally] = defaultdict(_Tally)
    flows = (
        events.filter(kind__in=[EventKind.RECEIVED, EventKind.DELIVERED, EventKind.SOLD, EventKind.WRITTEN_OFF])
        .values_list("item__community_id", "item__category_id", "kind")
        .annotate(items=Count("pk"), quantity=Sum("item__quantity"))
        .order_by()
    )
    for community_id, category_id, kind, items, quantity in flows:
        tally = tallies[(community_id, category_id)]
        if kind == EventKind.RECEIVED:
            tally.items_in, tally.quantity_in = items, quantity
        elif kind == EventKind.DELIVERED:
            tally.items_delivered, tally.quantity_delivered = items, quantity
        elif kind == EventKind.SOLD:
            tally.items_sold = items
        else:
            tally.items_written_off = items
    families = dict(
        events.filter(kind=EventKind.DELIVERED)
        .values_list("item__community_id")
        .annotate(families=Count("delivery__family_id", distinct=True))
        .order_by()
    )
    donations = dict(
        Donation.objects.filter(received_at__gte=start, received_at__lt=end)
        .values_list("community_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    MonthlyCategoryCount.objects.filter(month=first).delete()
    MonthlySummary.objects.filter(month=first).delete()
    public_cache.touch(PUBLICITY)
    MonthlyCategoryCount.objects.bulk_create(
        [
            MonthlyCategoryCount(community_id=community_id, category_id=category_id, month=first, **vars(tally))
            for (community_id, category_id), tally in tallies.items()
        ],
        batch_size=2000,
    )
    now = timezone.now()
    communities = {community_id for community_id, _category in tallies} | set(donations)
    MonthlySummary.objects.bulk_create(
        [
            MonthlySummary(
                community_id=community_id,
                month=first,
                donations=donations.get(community_id, 0),
                families_served=families.get(community_id, 0),
                refreshed_at=now,
            )
            for community_id in communities
        ],
        batch_size=2000,
    )
    return len(tallies) + len(communities)
