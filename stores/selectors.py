from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from stores.codes import normalise
from stores.models import EventKind, Item, ItemEvent


@dataclass(frozen=True)
class TraceStep:
    at: datetime
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
    Two queries whatever the length of the history.
    """
    code = normalise(typed)
    if code is None:
        return None
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


def _public_donor(item: Item) -> str:
    family, enterprise = item.donation.family, item.donation.enterprise
    if family is not None:
        return family.public_name if family.public_name_consent else _("a compassion family")
    if enterprise is not None:
        return enterprise.name if enterprise.public_consent else _("an assistant enterprise")
    return _("an anonymous donor")


def _step(event: ItemEvent, item: Item) -> TraceStep:
    place = event.warehouse.public_place if event.warehouse else item.community.name
    if event.kind == EventKind.DELIVERED:
        place = _("a family of %(community)s") % {"community": item.community.name}
    return TraceStep(at=event.at, what=str(event.get_kind_display()), where=place)
