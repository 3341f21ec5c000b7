"""Delivery plans: staff plan which items go to which family, scan them out, and the family confirms at the door.

Every use case locks rows in one order, plan → delivery → items (by id), so two of them never wait on
each other in a circle: of two staff scanning, confirming or closing the same thing at the same moment,
one succeeds and the other gets a Conflict (409) that says what happened; nothing of theirs is written.
The item side of every step is an ItemEvent written by `record_event`, which locks the item again.
"""

import hmac
import secrets
import unicodedata
from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from recipients.models import RecipientFamily
from stores.exceptions import AlreadyDelivered, DeliveryConflict, DeliveryError, FamilyCodeLocked, WrongFamilyCode
from stores.models import Delivery, DeliveryPlan, EventKind, Item, ItemEvent, Warehouse
from stores.services.items import record_event
from volunteers.models import Centre, Volunteer
from yicang.community.models import User
from yicang.core.crypto import seal, unseal
from yicang.core.photos import checked_photo

# After this many wrong family codes only the volunteer's photo confirms: six digits are a million
# guesses, and five tries keep a guesser's chance at one in 200,000.
MAX_WRONG_CODES = 5
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # a door photo, straight from a phone's camera

_OPEN = (Delivery.Status.PLANNED, Delivery.Status.OUT)
_ON_THE_WAY = (Item.Status.RESERVED, Item.Status.DISPATCHED)


@transaction.atomic
def plan_delivery(*, centre: Centre, warehouse: Warehouse, planned_for: date, by: User, note: str = "") -> DeliveryPlan:
    """Start a draft plan of a centre's home visits, its items leaving from `warehouse` on `planned_for`.

    Raises DeliveryError (a warehouse of another community, a day that has passed); nothing is written then.
    """
    if warehouse.community_id != centre.community_id:
        raise DeliveryError(_("%(warehouse)s belongs to another community.") % {"warehouse": warehouse})
    if planned_for < timezone.localdate():
        raise DeliveryError(_("The planned day has passed; choose today or a later day."))
    return DeliveryPlan.objects.create(
        community_id=centre.community_id,
        centre=centre,
        warehouse=warehouse,
        planned_for=planned_for,
        note=note.strip(),
        created_by=by,
    )


@transaction.atomic
def add_delivery(
    *, plan: DeliveryPlan, family: RecipientFamily, by: User, volunteer: Volunteer | None = None
) -> Delivery:
    """Add a visit to an active recipient family of the plan's community, with a new six-digit family code.

    The code is sealed at once; staff read it with `family_code()` to give it to the family beforehand.
    `by` is who planned it: the plan records its author, a visit adds nothing about the staff member.
    Raises DeliveryError (not a family receiving support here, a volunteer of another community) or
    DeliveryConflict (the plan is closed, the family is on it already); nothing is written then.
    """
    plan = DeliveryPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == DeliveryPlan.Status.CLOSED:
        raise DeliveryConflict(_("The plan is closed: start a new one."))
    active = RecipientFamily.objects.filter(
        pk=family.pk, community_id=plan.community_id, status=RecipientFamily.Status.ACTIVE
    ).exists()
    if not active:
        raise DeliveryError(_("%(family)s is not a family receiving support in this community.") % {"family": family})
    if volunteer is not None and (
        volunteer.community_id != plan.community_id or volunteer.status != Volunteer.Status.ACTIVE
    ):
        raise DeliveryError(_("%(volunteer)s is not an active volunteer of this community.") % {"volunteer": volunteer})
    # The plan's row lock makes this check and the insert one step for two staff adding the same family.
    if Delivery.objects.filter(plan=plan, family=family).exists():
        raise DeliveryConflict(_("%(family)s is on this plan already.") % {"family": family})
    code = f"{secrets.randbelow(10**6):06d}"
    return Delivery.objects.create(
        community_id=plan.community_id, plan=plan, family=family, volunteer=volunteer, code_sealed=seal(code)
    )


def family_code(delivery: Delivery) -> str:
    """The family's six-digit confirmation code, for the staff who give it to the family; never logged."""
    return unseal(delivery.code_sealed)


@transaction.atomic
def reserve_item(*, delivery: Delivery, item: Item, by: User) -> ItemEvent:
    """Set an in-stock item of the plan's warehouse aside for one family's visit.

    Raises DeliveryConflict (plan closed, visit over, item reserved for this family already),
    ItemNotMovable (the item is not in stock) or DeliveryError (another warehouse or community).
    """
    plan, delivery = _locked(delivery)
    _check_open(plan, delivery)
    item = _locked_item(item, delivery)
    if item.status == Item.Status.RESERVED and item.delivery_id == delivery.pk:
        raise DeliveryConflict(_("%(code)s is reserved for this family already.") % {"code": item.code_display})
    _check_at_warehouse(item, plan)
    return record_event(item=item, kind=EventKind.RESERVED, by=by, delivery=delivery)


@transaction.atomic
def release_item(*, item: Item, by: User) -> ItemEvent:
    """Put a reserved item back in stock; it leaves its family's visit.

    Raises DeliveryConflict when the item is not (or no longer) reserved; nothing is written then.
    """
    delivery_id = Item.objects.filter(pk=item.pk).values_list("delivery_id", flat=True).first()
    delivery = Delivery.objects.filter(pk=delivery_id).first() if delivery_id else None
    if delivery is not None:
        _plan, delivery = _locked(delivery)
    item = Item.objects.select_for_update().get(pk=item.pk)
    if delivery is None or item.status != Item.Status.RESERVED or item.delivery_id != delivery.pk:
        raise DeliveryConflict(
            _("%(code)s is %(status)s, not reserved: there is nothing to release.")
            % {"code": item.code_display, "status": item.get_status_display()}
        )
    return record_event(item=item, kind=EventKind.UNRESERVED, by=by, delivery=delivery)


@transaction.atomic
def dispatch_item(*, item: Item, delivery: Delivery, by: User) -> ItemEvent:
    """Send an item out on a family's visit: scanned at the warehouse door as the volunteer leaves.

    The item is in stock at the plan's warehouse or reserved for this very visit. The visit and the
    plan go out with their first item. Locks the plan, the visit, then the item, so two staff scanning
    the same item onto two visits at once get one dispatch and one ItemNotMovable (409).
    Raises DeliveryConflict (plan closed, visit over, item reserved for another family), ItemNotMovable
    (the item is out, delivered, sold or written off) or DeliveryError; nothing is written then.
    """
    plan, delivery = _locked(delivery)
    _check_open(plan, delivery)
    item = _locked_item(item, delivery)
    if item.status == Item.Status.RESERVED and item.delivery_id != delivery.pk:
        other = RecipientFamily.objects.select_related("household").get(deliveries=item.delivery_id)
        raise DeliveryConflict(
            _("%(code)s is reserved for %(family)s: release it first, or dispatch it on that visit.")
            % {"code": item.code_display, "family": other}
        )
    if item.status == Item.Status.IN_STOCK:
        _check_at_warehouse(item, plan)
    event = record_event(item=item, kind=EventKind.DISPATCHED, by=by, delivery=delivery)
    if delivery.status == Delivery.Status.PLANNED:
        delivery.status = Delivery.Status.OUT
        delivery.save(update_fields=["status"])
    if plan.status == DeliveryPlan.Status.DRAFT:
        plan.status = DeliveryPlan.Status.OUT
        plan.save(update_fields=["status"])
    return event


def confirm_delivery(
    *, delivery: Delivery, by: User, code: str | None = None, photo: UploadedFile | None = None
) -> Delivery:
    """Confirm at the door, with the family's code or the volunteer's photo: every item out on the visit is delivered.

    Atomic like every use case, with one exception on purpose: a wrong family code is counted and
    committed before WrongFamilyCode is raised, or a guesser's failures would roll back with the error.
    After MAX_WRONG_CODES wrong codes only a photo confirms (FamilyCodeLocked). Items reserved for the
    visit but not taken out go back to stock. A visit confirmed already gives AlreadyDelivered (409)
    with the time; of twenty volunteers confirming at once, one does.
    Raises DeliveryError (neither or both of code and photo), InvalidPhoto (not a picture, too large) or
    DeliveryConflict (nothing out on the visit, the visit failed); nothing is written then.
    """
    code = unicodedata.normalize("NFKC", code or "").replace(" ", "").strip()
    if bool(code) == (photo is not None):
        raise DeliveryError(_("Enter the family's code, or take a photo of the delivery — one of the two."))
    door_photo = None
    if photo is not None:
        # A random name: nobody finds the photo of a family's door by guessing what the phone called it.
        door_photo = checked_photo(photo, name=f"{secrets.token_hex(16)}.jpg", max_bytes=MAX_PHOTO_BYTES)
    wrong: WrongFamilyCode | None = None
    with transaction.atomic():
        _plan, delivery = _locked(delivery)
        if delivery.status == Delivery.Status.DELIVERED:
            assert delivery.confirmed_at is not None  # a constraint: delivered is confirmed
            raise AlreadyDelivered(
                _("This delivery was confirmed already, at %(time)s.")
                % {"time": f"{timezone.localtime(delivery.confirmed_at):%Y-%m-%d %H:%M}"}
            )
        if delivery.status == Delivery.Status.FAILED:
            raise DeliveryConflict(_("This delivery was marked not delivered; its items went back to stock."))
        items = list(
            Item.objects.select_for_update().filter(delivery=delivery, status=Item.Status.DISPATCHED).order_by("pk")
        )
        if not items:
            raise DeliveryConflict(_("No item is out on this delivery yet: dispatch the items first."))
        if code:
            if delivery.wrong_codes >= MAX_WRONG_CODES:
                raise FamilyCodeLocked(_("Too many wrong codes were entered: confirm with a photo instead."))
            if hmac.compare_digest(code.encode(), family_code(delivery).encode()):
                delivery.confirmation = Delivery.Confirmation.FAMILY_CODE
            else:
                delivery.wrong_codes += 1
                delivery.save(update_fields=["wrong_codes"])
                left = MAX_WRONG_CODES - delivery.wrong_codes
                wrong = WrongFamilyCode(
                    ngettext(
                        "That is not the family's code. %(left)s try left.",
                        "That is not the family's code. %(left)s tries left.",
                        left,
                    )
                    % {"left": left}
                    if left
                    else _("That is not the family's code, and no tries are left: confirm with a photo.")
                )
        else:
            delivery.confirmation = Delivery.Confirmation.PHOTO
            delivery.photo = door_photo
        if wrong is None:
            for item in items:
                record_event(item=item, kind=EventKind.DELIVERED, by=by, delivery=delivery)
            # Set aside for this visit but never taken out: the visit is over, so they are free for others.
            _back_to_stock(
                Item.objects.filter(delivery=delivery, status=Item.Status.RESERVED),
                by=by,
                reason=_("The visit was confirmed without this item."),
            )
            delivery.status = Delivery.Status.DELIVERED
            delivery.confirmed_at = timezone.now()
            delivery.confirmed_by = by
            delivery.save(update_fields=["status", "confirmation", "photo", "confirmed_at", "confirmed_by"])
    if wrong is not None:
        raise wrong
    return delivery


@transaction.atomic
def mark_not_delivered(*, delivery: Delivery, by: User, reason: str) -> Delivery:
    """The family was not home (or refused): the visit failed, and its items go back to stock.

    Items out on the visit are RETURNED, items only reserved for it are released, each with the reason.
    Raises DeliveryError without a reason, AlreadyDelivered or DeliveryConflict when the visit is over.
    """
    reason = reason.strip()
    if not reason:
        raise DeliveryError(_("Say why it was not delivered."))
    _plan, delivery = _locked(delivery)
    if delivery.status == Delivery.Status.DELIVERED:
        raise AlreadyDelivered(_("This delivery was confirmed already: it cannot be marked not delivered."))
    if delivery.status == Delivery.Status.FAILED:
        raise DeliveryConflict(_("This delivery was marked not delivered already."))
    _back_to_stock(Item.objects.filter(delivery=delivery), by=by, reason=reason)
    delivery.status = Delivery.Status.FAILED
    delivery.note = reason[:200]
    delivery.save(update_fields=["status", "note"])
    return delivery


@transaction.atomic
def close_plan(*, plan: DeliveryPlan, by: User) -> DeliveryPlan:
    """Close a plan: what was not delivered goes back to stock, and open visits are marked not delivered.

    Reserved items are released and items still out are returned, each event saying why.
    Raises DeliveryConflict when the plan is closed already; nothing is written then.
    """
    plan = DeliveryPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == DeliveryPlan.Status.CLOSED:
        raise DeliveryConflict(_("The plan was closed already."))
    reason = _("The delivery plan was closed before this was delivered.")
    deliveries = list(Delivery.objects.select_for_update().filter(plan=plan).order_by("pk"))
    _back_to_stock(Item.objects.filter(delivery__plan=plan), by=by, reason=reason)
    for delivery in deliveries:
        if delivery.status in _OPEN:
            delivery.status = Delivery.Status.FAILED
            delivery.note = delivery.note or reason[:200]
            delivery.save(update_fields=["status", "note"])
    plan.status = DeliveryPlan.Status.CLOSED
    plan.closed_at = timezone.now()
    plan.save(update_fields=["status", "closed_at"])
    return plan


def _locked(delivery: Delivery) -> tuple[DeliveryPlan, Delivery]:
    """The plan and the visit, locked in that order and read afresh (what the caller holds may be stale)."""
    plan = DeliveryPlan.objects.select_for_update().get(pk=delivery.plan_id)
    locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
    locked.plan = plan
    return plan, locked


def _locked_item(item: Item, delivery: Delivery) -> Item:
    locked = Item.objects.select_for_update().get(pk=item.pk)
    if locked.community_id != delivery.community_id:
        raise DeliveryError(_("%(code)s belongs to another community.") % {"code": locked.code_display})
    return locked


def _check_open(plan: DeliveryPlan, delivery: Delivery) -> None:
    if plan.status == DeliveryPlan.Status.CLOSED:
        raise DeliveryConflict(_("The plan is closed."))
    if delivery.status == Delivery.Status.DELIVERED:
        raise AlreadyDelivered(_("This delivery was confirmed already."))
    if delivery.status == Delivery.Status.FAILED:
        raise DeliveryConflict(_("This delivery was marked not delivered."))


def _check_at_warehouse(item: Item, plan: DeliveryPlan) -> None:
    if item.warehouse_id != plan.warehouse_id:
        raise DeliveryError(
            _("%(code)s is at %(here)s; this plan's items leave from %(there)s.")
            % {"code": item.code_display, "here": item.warehouse, "there": plan.warehouse}
        )


def _back_to_stock(items: QuerySet[Item], *, by: User, reason: str) -> None:
    on_the_way = items.filter(status__in=_ON_THE_WAY).select_for_update(of=("self",)).order_by("pk")
    for item in on_the_way:
        kind = EventKind.UNRESERVED if item.status == Item.Status.RESERVED else EventKind.RETURNED
        record_event(item=item, kind=kind, by=by, reason=reason)
