"""The public service market: volunteers offer services for free, verified local residents request them.

An offer has a number of places; a request takes one while it is requested, accepted or done. Completing
a request moves the offer's time credit through the ledger (see services.complete_request); nothing here
keeps a balance. Residency is verified once per resident: the verification request holds the sealed ID
number and the photo only until staff decide, then only the fact, who and when remain.
"""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from volunteers.models import MAX_MINUTES_A_DAY, Volunteer
from yicang.community.identity import mask
from yicang.community.models import CommunityOwned, Resident, User
from yicang.core.crypto import unseal
from yicang.core.sensitive import Sensitive
from yicang.ledger.models import Transaction

PHOTO_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "heic", "pdf"]
MAX_PLACES = 500


class Offer(CommunityOwned):
    """A service a volunteer gives for free: what, when, where, and for how many residents."""

    class Status(models.TextChoices):
        OPEN = "open", _("open for requests")
        CLOSED = "closed", _("closed")

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="offers", verbose_name=_("volunteer")
    )
    title = models.CharField(_("what"), max_length=80, help_text=_("e.g. 理发, 陪诊, 电脑维修"))
    description = models.TextField(_("description"), blank=True)
    where = models.CharField(
        _("where"), max_length=120, help_text=_("A public place or the centre; never a resident's home address.")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(
        _("places"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PLACES)],
        help_text=_("How many residents can be served."),
    )
    minutes = models.PositiveIntegerField(
        _("time credit per person (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MINUTES_A_DAY)],
        help_text=_("What the service is worth in the time bank, for each resident served."),
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    published_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("published by")
    )
    created_at = models.DateTimeField(_("published at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("service offer")
        verbose_name_plural = _("service offers")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["community", "status", "starts_at"], name="offer_open_in_community")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="offer_ends_after_it_starts"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="offer_has_a_place"),
            models.CheckConstraint(
                condition=Q(minutes__gt=0, minutes__lte=MAX_MINUTES_A_DAY), name="offer_minutes_in_a_day"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        volunteer = self.volunteer if self.volunteer_id else None
        if volunteer is not None and self.community_id is not None and volunteer.community_id != self.community_id:
            raise ValidationError({"volunteer": _("%(name)s volunteers in another community.") % {"name": volunteer}})
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The service must end after it starts.")})
        if self._state.adding:
            if volunteer is not None and volunteer.status != Volunteer.Status.ACTIVE:
                raise ValidationError({"volunteer": _("%(name)s is not an active volunteer.") % {"name": volunteer}})
            if self.starts_at and self.starts_at <= timezone.now():
                raise ValidationError({"starts_at": _("A service is offered for a time still to come.")})

    @property
    def volunteer_shown(self) -> str | Promise:
        """The volunteer as the public may see them: by name only with their consent."""
        if self.volunteer.public_name_consent:
            return self.volunteer.resident.name
        return _("a volunteer")


class Request(CommunityOwned):
    """A resident's request for one place on an offer: requested → accepted → done (or cancelled, no-show)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        ACCEPTED = "accepted", _("accepted")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")
        NO_SHOW = "no_show", _("did not come")

    class PaidBy(models.TextChoices):
        HOUSEHOLD = "household", _("the requester's household, from its time credit")
        COMMUNITY = "community", _("the community, from its time pool")

    # The statuses that hold one of the offer's places; a done request used its place.
    TAKING_A_PLACE: ClassVar[list[str]] = [Status.REQUESTED, Status.ACCEPTED, Status.DONE]
    # The statuses of a booking still to happen: at most one per resident and offer, none overlapping.
    ACTIVE: ClassVar[list[str]] = [Status.REQUESTED, Status.ACCEPTED]
    TRANSITIONS: ClassVar[dict[str, set[str]]] = {
        Status.REQUESTED: {Status.ACCEPTED, Status.CANCELLED},
        Status.ACCEPTED: {Status.DONE, Status.CANCELLED, Status.NO_SHOW},
    }

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="requests", verbose_name=_("offer"))
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="service_requests", verbose_name=_("requested by")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, editable=False)
    decided_at = models.DateTimeField(_("last changed at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("last changed by")
    )
    paid_by = models.CharField(_("time credit paid by"), max_length=10, choices=PaidBy.choices, blank=True)
    credit = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("credit")
    )

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["offer", "status"], name="request_offer_status"),
            models.Index(fields=["resident", "status"], name="request_resident_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "resident"],
                condition=Q(status__in=["requested", "accepted"]),
                name="request_once_while_active",
            ),
            models.CheckConstraint(
                condition=Q(status="done", credit__isnull=False) & ~Q(paid_by="")
                | ~Q(status="done") & Q(credit__isnull=True, paid_by=""),
                name="request_credited_iff_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer} · {self.resident}"

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    def clean(self) -> None:
        super().clean()
        if self.offer_id is None or self.resident_id is None:
            return
        if self.community_id is not None and self.offer.community_id != self.community_id:
            raise ValidationError({"offer": _("The offer belongs to another community.")})
        if self.resident.community_id != self.offer.community_id:
            raise ValidationError({"resident": _("%(name)s lives in another community.") % {"name": self.resident}})


def _read_sealed(verification: "VerificationRequest") -> str:
    return unseal(verification.id_number_sealed) if verification.id_number_sealed else ""


class VerificationRequest(CommunityOwned):
    """A resident's proof of local residency, waiting for staff: kept whole only until it is decided."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be checked")
        VERIFIED = "verified", _("verified")
        REJECTED = "rejected", _("rejected")

    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="verification_requests", verbose_name=_("resident")
    )
    # The number as the resident typed it, sealed; on approval it moves to the resident's record, and
    # both it and the last four digits are cleared from here once decided (a check constraint says so).
    id_number_sealed = models.TextField(blank=True, editable=False)
    id_number_last4 = models.CharField(max_length=4, blank=True, editable=False)
    photo = models.FileField(
        _("photo of the ID card"),
        upload_to="verification/",
        blank=True,
        validators=[FileExtensionValidator(PHOTO_EXTENSIONS)],
        help_text=_("Deleted as soon as staff have checked it."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(_("why rejected"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("checked by")
    )
    decided_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    SENSITIVE: ClassVar[dict[str, Sensitive]] = {
        "id_number": Sensitive(
            label=_("resident ID number"), permission="community.reveal_id_number", read=_read_sealed
        ),
    }

    class Meta:
        verbose_name = _("residency verification")
        verbose_name_plural = _("residency verifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"], condition=Q(status="pending"), name="verification_one_pending_per_resident"
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | ~Q(status="pending") & Q(decided_at__isnull=False, id_number_sealed="", id_number_last4="", photo=""),
                name="verification_nothing_kept_once_decided",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""), name="verification_rejection_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} · {self.get_status_display()}"

    @property
    def id_number_masked(self) -> str:
        return mask(self.id_number_last4)
