"""Use cases of the public service market; the admin and the portal pages call these and nothing else writes.

Each is atomic and writes nothing when it refuses: it raises a DomainError subclass from exceptions.py,
whose message is for the person who tried.
"""

import secrets
from datetime import datetime
from functools import partial
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_stubs_ext import StrPromise

from volunteers.market.exceptions import (
    AlreadyDecided,
    AlreadyRequested,
    IllegalTransition,
    InvalidIdNumber,
    MarketError,
    NotLocal,
    NotVerified,
    OfferFull,
    OfferNotOpen,
    OverlappingBooking,
    VerificationExists,
)
from volunteers.market.models import MAX_PLACES, Offer, Request, VerificationRequest
from volunteers.models import MAX_MINUTES_A_DAY, Volunteer
from yicang.community.identity import parse_resident_id
from yicang.community.models import Resident, User
from yicang.community.services import set_id_number
from yicang.core.crypto import seal, unseal
from yicang.ledger.exceptions import InsufficientBalance
from yicang.ledger.models import Account
from yicang.ledger.services import credit_time, transfer_time

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_TEXT = 200


def _validated(obj: models.Model) -> None:
    """The model's own rules (clean, fields, constraints), refused as a DomainError like every other rule here."""
    try:
        obj.full_clean()
    except ValidationError as error:
        raise MarketError(" ".join(error.messages)) from None


# --- Offers -------------------------------------------------------------------------------------------------


@transaction.atomic
def publish_offer(
    *,
    volunteer: Volunteer,
    title: str,
    where: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    minutes: int,
    by: User | None,
    description: str = "",
) -> Offer:
    """Put a volunteer's service on their community's market, open for requests.

    `minutes` is the time credit the service is worth for each resident served; `capacity` how many
    residents it serves. Raises MarketError for minutes or places that are not whole numbers in range, for
    times without a time zone, an end not after the start, a start already past, or a volunteer who is not
    active; nothing is written then.
    """
    if type(minutes) is not int or not 0 < minutes <= MAX_MINUTES_A_DAY:
        raise MarketError(_("Give the time credit as a whole number of minutes, more than none and at most a day."))
    if type(capacity) is not int or not 0 < capacity <= MAX_PLACES:
        raise MarketError(_("Give the number of places as a whole number from 1 to %(most)s.") % {"most": MAX_PLACES})
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        # Naive times would be read in the server's zone; a service at 9:00 must mean 9:00 in the community.
        raise MarketError(_("Give the times with their time zone."))
    offer = Offer(
        community_id=volunteer.community_id,
        volunteer=volunteer,
        title=title.strip(),
        description=description.strip(),
        where=where.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        minutes=minutes,
        published_by=by,
    )
    _validated(offer)
    offer.save()
    return offer


@transaction.atomic
def close_offer(*, offer: Offer) -> Offer:
    """Take an offer off the market: no new requests; the requests already made stay as they are."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if offer.status == Offer.Status.CLOSED:
        raise OfferNotOpen(_("%(title)s is closed already.") % {"title": offer.title})
    offer.status = Offer.Status.CLOSED
    offer.save(update_fields=["status"])
    return offer


# --- Residency verification -----------------------------------------------------------------------------------


@transaction.atomic
def submit_verification(*, resident: Resident, number: str, photo: UploadedFile | None = None) -> VerificationRequest:
    """Ask the centre to verify a resident's local residency with their ID number, and a photo if given.

    The number is checked first (shape, birth date, check digit) and kept only sealed until staff decide.
    Whether another resident holds it is checked on approval, not here: the public portal must not tell
    whoever types a number that it is known. Raises InvalidIdNumber, VerificationExists (verified already,
    or one waiting) or MarketError (the photo); nothing is written then.
    """
    try:
        parsed = parse_resident_id(number)
    except ValidationError as error:
        raise InvalidIdNumber(error.messages[0]) from None
    # The resident's row serialises their submissions (and the approval of one), so two at once make one.
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if resident.id_verified_at is not None:
        raise VerificationExists(_("The residency of %(name)s is verified already.") % {"name": resident.name})
    if VerificationRequest.objects.filter(resident=resident, status=VerificationRequest.Status.PENDING).exists():
        raise VerificationExists(
            _("A verification of %(name)s is waiting for the centre already.") % {"name": resident.name}
        )
    verification = VerificationRequest(
        community_id=resident.community_id,
        resident=resident,
        id_number_sealed=seal(parsed.number),
        id_number_last4=parsed.last4,
    )
    if photo is not None:
        if (photo.size or 0) > MAX_PHOTO_BYTES:
            raise MarketError(
                _("The photo is larger than %(mb)s MB; send a smaller one.") % {"mb": MAX_PHOTO_BYTES // 2**20}
            )
        # A random name: nobody finds the photo by guessing what the resident's phone called it.
        photo.name = secrets.token_hex(16) + PurePath(photo.name or "").suffix.lower()
        verification.photo = photo
    _validated(verification)
    verification.save()
    return verification


@transaction.atomic
def approve_verification(*, verification: VerificationRequest, by: User) -> VerificationRequest:
    """Verify a resident's residency: the number goes to their record through community's set_id_number.

    set_id_number validates the number again, refuses one registered to another resident, and records it
    sealed with its keyed hash and last four digits, and who verified it when. This request then keeps only
    the decision, who and when: its sealed number is cleared and the photo deleted from storage once the
    decision is committed. Raises AlreadyDecided or InvalidIdNumber; nothing is written then.
    """
    # The resident first, then the request: the order submit_verification takes them in.
    resident = Resident.objects.select_for_update().get(pk=verification.resident_id)
    verification = _pending(verification)
    try:
        set_id_number(resident=resident, number=unseal(verification.id_number_sealed), by=by)
    except ValidationError as error:
        raise InvalidIdNumber(error.messages[0]) from None
    verification.status = VerificationRequest.Status.VERIFIED
    _forget(verification, by)
    verification.save(update_fields=[*_DECISION_FIELDS])
    return verification


@transaction.atomic
def reject_verification(*, verification: VerificationRequest, by: User, reason: str) -> VerificationRequest:
    """Turn a verification down with a reason the resident sees; the number and the photo are not kept.

    Raises MarketError (no reason, or a long one) or AlreadyDecided; nothing is written then.
    """
    reason = reason.strip()
    if not reason:
        raise MarketError(_("Say why the verification is rejected; the resident sees the reason."))
    if len(reason) > MAX_TEXT:
        raise MarketError(_("Keep the reason within %(most)s characters.") % {"most": MAX_TEXT})
    verification = _pending(verification)
    verification.status = VerificationRequest.Status.REJECTED
    verification.reason = reason
    _forget(verification, by)
    verification.save(update_fields=[*_DECISION_FIELDS, "reason"])
    return verification


_DECISION_FIELDS = ("status", "id_number_sealed", "id_number_last4", "photo", "decided_by", "decided_at")


def _pending(verification: VerificationRequest) -> VerificationRequest:
    locked = VerificationRequest.objects.select_for_update().select_related("resident").get(pk=verification.pk)
    if locked.status != VerificationRequest.Status.PENDING:
        raise AlreadyDecided(_("This verification was %(status)s already.") % {"status": locked.get_status_display()})
    return locked


def _forget(verification: VerificationRequest, by: User) -> None:
    """Keep what DOMAIN.md allows once decided: the fact, who and when; the number and the photo go."""
    name = verification.photo.name
    if name:
        # After the commit, so a decision rolled back leaves the photo for the next attempt; robust, so a
        # file already gone does not turn a committed decision into an error page.
        transaction.on_commit(partial(verification.photo.storage.delete, name), robust=True)
    verification.photo = ""
    verification.id_number_sealed = ""
    verification.id_number_last4 = ""
    verification.decided_by = by
    verification.decided_at = timezone.now()


# --- Requests ---------------------------------------------------------------------------------------------------


def _when(start: datetime, end: datetime) -> str:
    return f"{timezone.localtime(start):%Y-%m-%d %H:%M}–{timezone.localtime(end):%H:%M}"


@transaction.atomic
def request_service(*, offer: Offer, resident: Resident, note: str = "") -> Request:
    """Book one place on an offer for a resident.

    Only a resident whose residency is verified, of the offer's community, may request; the offer must be
    open and not started, given by someone outside the resident's household, not requested by them already,
    and not overlap another service they booked (requested or accepted, touching times are fine). A place is
    taken by every request requested, accepted or done.

    Locks the resident's row, so their two requests at once cannot both pass the overlap check, then the
    offer's, so residents racing for its last place are counted one after the other: one gets it, the others
    OfferFull (409). Raises NotVerified, NotLocal, OfferNotOpen, MarketError, AlreadyRequested,
    OverlappingBooking or OfferFull; nothing is written then.
    """
    note = note.strip()
    if len(note) > MAX_TEXT:
        raise MarketError(_("Keep the note within %(most)s characters.") % {"most": MAX_TEXT})
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("community", "volunteer__resident")
        .get(pk=offer.pk)
    )
    if resident.id_verified_at is None:
        raise NotVerified(
            _("Only residents whose residency the centre has verified may request services; send your ID number first.")
        )
    if resident.community_id != offer.community_id:
        raise NotLocal(_("This service is for the residents of %(community)s.") % {"community": offer.community.name})
    if offer.status != Offer.Status.OPEN:
        raise OfferNotOpen(_("This service takes no more requests."))
    if offer.starts_at <= timezone.now():
        raise OfferNotOpen(_("This service has started already."))
    giver = offer.volunteer.resident
    if giver.pk == resident.pk or (giver.household_id is not None and giver.household_id == resident.household_id):
        # Time credits move between households; a service within one would only mint them.
        raise MarketError(_("This service is given by you or your household; no need to request it."))
    if Request.objects.filter(offer=offer, resident=resident, status__in=Request.ACTIVE).exists():
        raise AlreadyRequested(_("You have requested this service already."))
    clash = (
        Request.objects.filter(
            resident=resident,
            status__in=Request.ACTIVE,
            offer__starts_at__lt=offer.ends_at,
            offer__ends_at__gt=offer.starts_at,
        )
        .select_related("offer")
        .first()
    )
    if clash is not None:
        raise OverlappingBooking(
            _("You have booked %(title)s at the same time (%(when)s); cancel it first to book this one.")
            % {"title": clash.offer.title, "when": _when(clash.offer.starts_at, clash.offer.ends_at)}
        )
    taken = Request.objects.filter(offer=offer, status__in=Request.TAKING_A_PLACE).count()
    if taken >= offer.capacity:
        raise OfferFull(
            ngettext(
                "No place left: the only place of this service is taken.",
                "No place left: all %(places)s places of this service are taken.",
                offer.capacity,
            )
            % {"places": offer.capacity}
        )
    service_request = Request(community_id=offer.community_id, offer=offer, resident=resident, note=note)
    _validated(service_request)
    service_request.save()
    return service_request


_REFUSALS: dict[str, StrPromise] = {
    Request.Status.ACCEPTED: gettext_lazy("Only a new request can be accepted; this one is %(status)s."),
    Request.Status.DONE: gettext_lazy("Only an accepted request can be marked done; this one is %(status)s."),
    Request.Status.NO_SHOW: gettext_lazy(
        "Only an accepted request can be marked as a no-show; this one is %(status)s."
    ),
    Request.Status.CANCELLED: gettext_lazy("Only a request still to happen can be cancelled; this one is %(status)s."),
}


def _step(service_request: Request, to: str, by: User) -> Request:
    """The request, locked, moved to `to` in memory; IllegalTransition when its state does not allow it."""
    # Only the request's row is locked: PostgreSQL will not lock the nullable side of the household joins.
    locked = (
        Request.objects.select_for_update(of=("self",))
        .select_related("offer__volunteer__resident__household", "resident__household")
        .get(pk=service_request.pk)
    )
    if not locked.can_become(to):
        raise IllegalTransition(_REFUSALS[to] % {"status": locked.get_status_display()})
    if to in (Request.Status.DONE, Request.Status.NO_SHOW) and locked.offer.starts_at > timezone.now():
        raise IllegalTransition(_("The service has not started yet; say how it went once it has."))
    locked.status = to
    locked.decided_by = by
    locked.decided_at = timezone.now()
    return locked


_STEP_FIELDS = ["status", "decided_by", "decided_at"]


@transaction.atomic
def accept_request(*, service_request: Request, by: User) -> Request:
    """Confirm a requested place: the volunteer expects the resident. Raises IllegalTransition."""
    accepted = _step(service_request, Request.Status.ACCEPTED, by)
    accepted.save(update_fields=_STEP_FIELDS)
    return accepted


@transaction.atomic
def cancel_request(*, service_request: Request, by: User) -> Request:
    """Give the place back, requested or accepted, by the resident or by staff. Raises IllegalTransition."""
    cancelled = _step(service_request, Request.Status.CANCELLED, by)
    cancelled.save(update_fields=_STEP_FIELDS)
    return cancelled


@transaction.atomic
def mark_no_show(*, service_request: Request, by: User) -> Request:
    """The resident did not come to an accepted service that has started; no credit moves.

    Raises IllegalTransition.
    """
    missed = _step(service_request, Request.Status.NO_SHOW, by)
    missed.save(update_fields=_STEP_FIELDS)
    return missed


@transaction.atomic
def complete_request(*, service_request: Request, by: User) -> Request:
    """Mark an accepted request done once the service has started, and move its time credit.

    Who pays: the requester's household, when its time account holds at least the offer's minutes; the
    minutes go from it to the volunteer's household (transfer_time): credits earned serving others are
    spent on services from others. Otherwise the community gives the service: the volunteer's household is
    credited from the community's time pool (credit_time), as for any other time given, and the requester
    owes nothing; a requester without a household is served this way too. Which of the two paid is kept
    in `paid_by`, the transaction in `credit`.

    Under the request's row lock and with the idempotency key service-request-<pk>, so it is credited once:
    a second completion is IllegalTransition. Raises IllegalTransition or MarketError (the volunteer
    belongs to no household); nothing is written then.
    """
    done = _step(service_request, Request.Status.DONE, by)
    offer = done.offer
    payee = offer.volunteer.resident.household
    if payee is None:
        raise MarketError(
            _("%(name)s belongs to no household, so there is no time account to credit.")
            % {"name": offer.volunteer.resident.name}
        )
    payer = done.resident.household
    reason = _("Service: %(title)s") % {"title": offer.title}
    key = f"service-request-{done.pk}"
    if payer is not None and _time_balance(payer.pk) >= offer.minutes:
        try:
            done.credit = transfer_time(
                payer=payer, payee=payee, minutes=offer.minutes, reason=reason, by=by, cause=done, idempotency_key=key
            )
            done.paid_by = Request.PaidBy.HOUSEHOLD
        except InsufficientBalance:
            # Spent meanwhile on another service: the ledger saw it under its lock, so the rule's "otherwise".
            pass
    if done.credit is None:
        done.credit = credit_time(
            household=payee, minutes=offer.minutes, reason=reason, by=by, cause=done, idempotency_key=key
        )
        done.paid_by = Request.PaidBy.COMMUNITY
    done.save(update_fields=[*_STEP_FIELDS, "credit", "paid_by"])
    return done


def _time_balance(household_id: int) -> int:
    # Read without opening the account: a household that never had credit gets no empty account for it.
    balance = (
        Account.objects.filter(household_id=household_id, kind=Account.Kind.TIME)
        .values_list("balance", flat=True)
        .first()
    )
    return balance or 0
