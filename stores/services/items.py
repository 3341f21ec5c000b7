from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from donors.models import AssistantEnterprise, CompassionFamily
from stores.codes import normalise
from stores.exceptions import IntakeError, ItemNotMovable, UnknownCode
from stores.models import NEEDS_REASON, TRANSITIONS, Category, Delivery, Donation, EventKind, Item, ItemEvent, Warehouse
from yicang.community.models import User
from yicang.community.scoping import scope

# Steps that put an item on a delivery, and those that take it off one.
TIES_TO_DELIVERY = {EventKind.RESERVED, EventKind.DISPATCHED}
UNTIES_FROM_DELIVERY = {EventKind.UNRESERVED, EventKind.RETURNED, EventKind.CORRECTED, EventKind.WRITTEN_OFF}
# Steps after which the item is at the warehouse the step names (a return may come back to another store).
ARRIVES_AT_WAREHOUSE = {EventKind.MOVED, EventKind.RETURNED}
MAX_ITEMS_A_LINE = 500  # a line is typed by a person; more than this is a mistake, not a delivery


@dataclass(frozen=True)
class IntakeLine:
    """`count` physical items of one category, each of `quantity` units (e.g. 20 bags of 10 kg rice)."""

    category: Category
    count: int
    quantity: Decimal
    description: str = ""
    expires_on: date | None = None


@transaction.atomic
def receive_donation(
    *,
    warehouse: Warehouse,
    lines: Sequence[IntakeLine],
    by: User,
    family: CompassionFamily | None = None,
    enterprise: AssistantEnterprise | None = None,
    note: str = "",
    key: UUID | None = None,
) -> Donation:
    """Record one donor's gift of many lines: each physical item gets its own code and a "received" event.

    With a `key` (the intake form's), the same gift sent again is the donation already recorded, returned
    as it is, even when both arrive at the same moment (the key is unique in the database).
    Raises IntakeError (no lines, a bad count or quantity, food without an expiry date, a donor of another
    community); nothing is written then.
    """
    if key is not None:
        earlier = Donation.objects.filter(intake_key=key, community_id=warehouse.community_id).first()
        if earlier is not None:
            return earlier
    if not lines:
        raise IntakeError(_("Add at least one line to the donation."))
    if family is not None and enterprise is not None:
        raise IntakeError(_("A donation comes from one donor: a family or an enterprise."))
    donor = family or enterprise
    if donor is not None and donor.community_id != warehouse.community_id:
        raise IntakeError(_("%(donor)s belongs to another community.") % {"donor": donor})
    today = timezone.localdate()
    for number, line in enumerate(lines, start=1):
        if not 1 <= line.count <= MAX_ITEMS_A_LINE:
            raise IntakeError(
                _("Line %(n)s: the number of items must be between 1 and %(max)s.")
                % {"n": number, "max": MAX_ITEMS_A_LINE}
            )
        if line.quantity <= 0:
            raise IntakeError(_("Line %(n)s: the quantity must be more than zero.") % {"n": number})
        if line.category.perishable and line.expires_on is None:
            raise IntakeError(
                _("Line %(n)s: %(category)s needs an expiry date.") % {"n": number, "category": line.category}
            )
        if line.expires_on is not None and line.expires_on < today:
            raise IntakeError(_("Line %(n)s: the expiry date has passed; do not take it in.") % {"n": number})
    now = timezone.now()
    try:
        with transaction.atomic():
            donation = Donation.objects.create(
                community_id=warehouse.community_id,
                warehouse=warehouse,
                family=family,
                enterprise=enterprise,
                received_at=now,
                received_by=by,
                note=note.strip(),
                intake_key=key,
            )
    except IntegrityError:
        # The same form, sent twice at once: the other request recorded it while this one waited on the key.
        earlier = Donation.objects.filter(intake_key=key, community_id=warehouse.community_id).first()
        if key is None or earlier is None:
            raise
        return earlier
    items = Item.objects.bulk_create(
        [
            Item(
                community_id=warehouse.community_id,
                donation=donation,
                category=line.category,
                description=line.description.strip(),
                quantity=line.quantity,
                unit=line.category.unit,
                expires_on=line.expires_on,
                warehouse=warehouse,
                status=Item.Status.IN_STOCK,
            )
            for line in lines
            for _copy in range(line.count)
        ]
    )
    ItemEvent.objects.bulk_create(
        [
            ItemEvent(
                item=item,
                kind=EventKind.RECEIVED,
                from_status="",
                to_status=Item.Status.IN_STOCK,
                at=now,
                by=by,
                warehouse=warehouse,
                reason=donation.donor_label,
            )
            for item in items
        ]
    )
    return donation


@transaction.atomic
def record_event(
    *,
    item: Item,
    kind: str,
    by: User,
    warehouse: Warehouse | None = None,
    reason: str = "",
    delivery: Delivery | None = None,
) -> ItemEvent:
    """Take one step of an item's history, if its current status allows it.

    Locks the item, so that of two people scanning the same item for a step at the same moment one
    succeeds and the other gets ItemNotMovable (409) with the item's new status; nothing else is written.
    Reserving or dispatching for a `delivery` ties the item to it; releasing, returning or correcting
    unties it. Callers that plan deliveries (services.delivery) check the delivery's own state first.
    """
    item = Item.objects.select_for_update().get(pk=item.pk)
    starts, leaves = TRANSITIONS[kind]
    if item.status not in starts:
        raise ItemNotMovable(
            _("%(code)s is %(status)s: it cannot be %(step)s now.")
            % {"code": item.code_display, "status": item.get_status_display(), "step": EventKind(kind).label}
        )
    if kind in NEEDS_REASON and not reason.strip():
        raise IntakeError(_("Say why."))
    if warehouse is not None and warehouse.community_id != item.community_id:
        raise IntakeError(_("%(warehouse)s belongs to another community.") % {"warehouse": warehouse})
    if kind == EventKind.DISPATCHED and delivery is None and item.delivery_id is None:
        raise IntakeError(_("An item is dispatched on a delivery plan: choose the delivery."))
    if delivery is not None and delivery.community_id != item.community_id:
        raise IntakeError(_("The delivery belongs to another community."))
    # The event names the delivery the step was on, even when the step takes the item off it.
    on_delivery = delivery or item.delivery
    if kind in TIES_TO_DELIVERY:
        item.delivery = on_delivery
    elif kind in UNTIES_FROM_DELIVERY:
        item.delivery = None
    event = ItemEvent.objects.create(
        item=item,
        kind=kind,
        from_status=item.status,
        to_status=leaves,
        by=by,
        warehouse=warehouse or item.warehouse,
        reason=reason.strip(),
        delivery=on_delivery,
    )
    item.status = leaves
    if kind in ARRIVES_AT_WAREHOUSE and warehouse is not None:
        item.warehouse = warehouse
    item.save(update_fields=["status", "warehouse", "delivery"])
    return event


def find_item(typed: str, *, user: User) -> Item:
    """The item a staff member scanned or typed, among those they may see; UnknownCode otherwise."""
    code = normalise(typed)
    item = scope(Item.objects.select_related("category", "warehouse"), user).filter(code=code).first() if code else None
    if item is None:
        raise UnknownCode(_("No item has the code %(code)s.") % {"code": typed.strip()[:30]})
    return item
