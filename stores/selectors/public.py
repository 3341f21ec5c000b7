from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _

from stores.codes import normalise
from stores.models import Donation, EventKind, Item, ItemEvent, MonthlyCategoryCount, MonthlySummary
from yicang.community.models import Community
from yicang.community.selectors import public_community_id
from yicang.core import public_cache
from yicang.core.months import month_bounds
from yicang.ledger.log.selectors import LOG_TOPIC, entries_of

# The topics of the store's public answers (see yicang.core.public_cache and stores/apps.py).
CATALOGUE = "stores:catalogue"  # categories and warehouses' public places
DONORS = "stores:donors"  # donors' consent to be named, and which donor gave a donation
PUBLICITY = "stores:publicity"  # the worker's monthly counts


def item_topic(code: str) -> str:
    return f"stores:item:{code}"


@dataclass(frozen=True)
class TraceStep:
    at: datetime
    kind: str
    what: str
    where: str


@dataclass(frozen=True)
class Trace:
    code: str
    category: str
    quantity: str
    community: str
    donor: str
    steps: list[TraceStep]


def public_trace(typed: str) -> Trace | None:
    """What anyone may learn from an item's code: its category, its community-level places and dates.

    Never who received it, nor any address: a delivery reads "delivered to a family of <community>".
    An unknown code and an item that is not public both give None, so the answer cannot tell them apart.
    Two queries whatever the length of the history; none when cached since the item last changed.
    """
    code = normalise(typed)
    if code is None:
        return None
    return public_cache.cached([CATALOGUE, DONORS, item_topic(code)], f"trace:{code}", lambda: _trace(code))


def _trace(code: str) -> Trace | None:
    item = (
        Item.objects.filter(code=code, public=True)
        .select_related("category", "community", "donation__family", "donation__enterprise")
        .first()
    )
    if item is None:
        return None
    events = ItemEvent.objects.filter(item=item).select_related("warehouse").order_by("at", "pk")
    return Trace(
        code=item.code_display,
        category=item.category.name,
        quantity=f"{item.quantity.normalize():f} {item.unit}",
        community=item.community.name,
        donor=_public_donor(item),
        steps=[_step(event, item) for event in events],
    )


@dataclass(frozen=True)
class LoggedStep:
    """A step of the public trace and its leaf in the public log (None until the worker has appended it)."""

    at: datetime
    kind: str
    index: int | None
    record: str | None


def public_trace_log(typed: str) -> tuple[str, list[LoggedStep]] | None:
    """Each step of an item's public trace with its leaf in the public log, so a donor can verify it.

    The same item as public_trace (None alike for unknown and private codes), its steps in the same
    order. Three queries whatever the length of the history (four the first time, for the content
    type); none when cached since the item or the log last changed.
    """
    code = normalise(typed)
    if code is None:
        return None
    return public_cache.cached([item_topic(code), LOG_TOPIC], f"trace-log:{code}", lambda: _trace_log(code))


def _trace_log(code: str) -> tuple[str, list[LoggedStep]] | None:
    item = Item.objects.filter(code=code, public=True).first()
    if item is None:
        return None
    events = list(ItemEvent.objects.filter(item=item).order_by("at", "pk"))
    leaves = entries_of(events)
    steps = []
    for event in events:
        leaf = leaves.get(event.pk)
        steps.append(
            LoggedStep(
                at=event.at,
                kind=event.kind,
                index=leaf.index if leaf else None,
                record=leaf.data if leaf else None,
            )
        )
    return item.code_display, steps


def _public_donor(item: Item) -> str:
    return public_donor(item.donation)


def public_donor(donation: Donation) -> str:
    """The donor as the public trace names them: by name only with their consent. Reads family and enterprise."""
    family, enterprise = donation.family, donation.enterprise
    if family is not None:
        return family.public_name if family.public_name_consent else _("a compassion family")
    if enterprise is not None:
        return enterprise.name if enterprise.public_consent else _("an assistant enterprise")
    return _("an anonymous donor")


def _step(event: ItemEvent, item: Item) -> TraceStep:
    place = event.warehouse.public_place if event.warehouse else item.community.name
    if event.kind == EventKind.DELIVERED:
        place = _("a family of %(community)s") % {"community": item.community.name}
    return TraceStep(at=event.at, kind=event.kind, what=str(event.get_kind_display()), where=place)


@dataclass(frozen=True)
class CategoryMonth:
    category: str
    unit: str
    items_in: int
    quantity_in: Decimal
    items_delivered: int
    quantity_delivered: Decimal
    items_sold: int
    items_written_off: int


@dataclass(frozen=True)
class Publicity:
    """A community's month in the store as published (公示): counts by category and consenting donors' names."""

    community: Community
    month: date
    rows: list[CategoryMonth]
    donors_named: list[str]
    named_donations: int
    donations: int
    families_served: int
    counted_at: datetime | None

    @property
    def unnamed_donations(self) -> int:
        return max(self.donations - self.named_donations, 0)


def public_month(code: str, month: date) -> Publicity | None:
    """month_publicity of the community with this code (None if there is none), cached until it changes."""
    community_id = public_community_id(code)
    if community_id is None:
        return None

    def count() -> Publicity:
        return month_publicity(Community.objects.get(pk=community_id), month)

    topics = [CATALOGUE, DONORS, PUBLICITY, public_cache.community_topic(community_id)]
    return public_cache.cached(topics, f"publicity:{community_id}:{month:%Y-%m}", count)


def month_publicity(community: Community, month: date) -> Publicity:
    """What the store of `community` received and gave in `month`, from the worker's monthly counts.

    Families are only counted, never named; a donor is named only with their consent (the family's
    public name, or an enterprise that agreed). Four queries whatever the month holds.
    """
    counts = (
        MonthlyCategoryCount.objects.filter(community=community, month=month)
        .select_related("category")
        .order_by("category__name")
    )
    summary = MonthlySummary.objects.filter(community=community, month=month).first()
    start, end = month_bounds(month)
    named = (
        Donation.objects.filter(community=community, received_at__gte=start, received_at__lt=end)
        .filter(Q(family__public_name_consent=True) | Q(enterprise__public_consent=True))
        .annotate(name=Coalesce(NullIf("family__public_name", Value("")), "enterprise__name"))
        .values_list("name", flat=True)
    )
    names = [name for name in named if name]
    return Publicity(
        community=community,
        month=month,
        rows=[
            CategoryMonth(
                category=row.category.name,
                unit=row.category.unit,
                items_in=row.items_in,
                quantity_in=row.quantity_in,
                items_delivered=row.items_delivered,
                quantity_delivered=row.quantity_delivered,
                items_sold=row.items_sold,
                items_written_off=row.items_written_off,
            )
            for row in counts
        ],
        donors_named=sorted(set(names)),
        named_donations=len(names),
        donations=summary.donations if summary else 0,
        families_served=summary.families_served if summary else 0,
        counted_at=summary.refreshed_at if summary else None,
    )
