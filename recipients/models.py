"""Recipient families: the most sensitive records of the system (PIPL: health, disability, minors, income).

Their details are sealed and shown only through a logged reveal; categories and status are what
staff work with day to day; nothing here ever reaches a public page except as aggregates.
"""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yicang.community.models import CommunityOwned, Household, Resident, User
from yicang.community.scoping import CommunityScopedQuerySet
from yicang.core.crypto import unseal
from yicang.core.sensitive import Sensitive

CHILD_AGE = 14  # PIPL art. 31: a child under 14 needs a guardian's consent


def is_child(resident: Resident) -> bool:
    return resident.birth_year is not None and timezone.localdate().year - resident.birth_year < CHILD_AGE


class RecipientFamily(CommunityOwned):
    class Status(models.TextChoices):
        APPLIED = "applied", _("applied")
        ASSESSED = "assessed", _("assessed")
        ACTIVE = "active", _("receiving support")
        GRADUATED = "graduated", _("graduated")
        WITHDRAWN = "withdrawn", _("withdrawn")

    # Where a family may go from each status. Graduated and withdrawn families may come back.
    TRANSITIONS: ClassVar[dict[str, set[str]]] = {
        Status.APPLIED: {Status.ASSESSED, Status.WITHDRAWN},
        Status.ASSESSED: {Status.ACTIVE, Status.WITHDRAWN},
        Status.ACTIVE: {Status.ASSESSED, Status.GRADUATED, Status.WITHDRAWN},
        Status.GRADUATED: {Status.APPLIED},
        Status.WITHDRAWN: {Status.APPLIED},
    }

    household = models.OneToOneField(
        Household, on_delete=models.PROTECT, related_name="recipient_family", verbose_name=_("household")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.APPLIED)
    applied_on = models.DateField(_("applied on"), default=timezone.localdate)
    # Health, disability and income details: sealed, read only through a logged reveal.
    details_sealed = models.TextField(blank=True, editable=False)
    volunteer_since = models.DateField(
        _("volunteering since"),
        null=True,
        blank=True,
        help_text=_("When someone of the family began to give time: the day a recipient became a volunteer."),
    )

    SENSITIVE: ClassVar[dict[str, Sensitive]] = {
        "details": Sensitive(
            label=_("health, disability and income details"),
            permission="recipients.view_sensitive_details",
            read=lambda family: unseal(family.details_sealed) if family.details_sealed else "",
        ),
    }

    class Meta:
        verbose_name = _("recipient family")
        verbose_name_plural = _("recipient families")
        ordering = ["community_id", "household__name", "pk"]
        permissions = [("view_sensitive_details", _("Can see health, disability and income details"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(volunteer_since__isnull=True) | Q(volunteer_since__gte=F("applied_on")),
                name="recipient_volunteers_after_applying",
            )
        ]

    def __str__(self) -> str:
        return str(self.household)

    def clean(self) -> None:
        super().clean()
        if self.volunteer_since is not None and self.applied_on and self.volunteer_since < self.applied_on:
            raise ValidationError(
                {"volunteer_since": _("A family cannot have started volunteering before it applied.")}
            )
        household = self.household if self.household_id is not None else None
        if household is not None and self.community_id is not None and household.community_id != self.community_id:
            raise ValidationError({"household": _("The household belongs to another community.")})


class FamilyRecord(models.Model):
    """A row that belongs to one recipient family, and through it to its community."""

    community_path: ClassVar[str] = "family__community"

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class Vulnerability(FamilyRecord):
    class Category(models.TextChoices):
        ELDERLY_ALONE = "elderly_alone", _("elderly, living alone")
        DISABLED = "disabled", _("disabled")
        LOW_INCOME = "low_income", _("low income (低保)")
        SERIOUSLY_ILL = "seriously_ill", _("seriously ill")
        LEFT_BEHIND_CHILDREN = "left_behind_children", _("left-behind children")
        OTHER = "other", _("other")

    family = models.ForeignKey(
        RecipientFamily, on_delete=models.CASCADE, related_name="vulnerabilities", verbose_name=_("family")
    )
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)

    class Meta:
        verbose_name = _("vulnerability")
        verbose_name_plural = _("vulnerabilities")
        ordering = ["family_id", "category"]
        constraints = [models.UniqueConstraint(fields=["family", "category"], name="vulnerability_once_per_family")]

    def __str__(self) -> str:
        return self.get_category_display()


class StatusChange(FamilyRecord):
    family = models.ForeignKey(
        RecipientFamily, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("family")
    )
    from_status = models.CharField(_("from"), max_length=12, choices=RecipientFamily.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=RecipientFamily.Status.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["family_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class NeedsAssessment(FamilyRecord):
    family = models.ForeignKey(
        RecipientFamily, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("family")
    )
    assessed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessed by"))
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    needs = models.TextField(_("needs"))
    next_review = models.DateField(_("next review"), null=True, blank=True)

    class Meta:
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")
        ordering = ["family_id", "-assessed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_review__isnull=True) | Q(next_review__gt=F("assessed_on")),
                name="assessment_review_after_assessment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.family} {self.assessed_on}"

    def clean(self) -> None:
        super().clean()
        if self.next_review is not None and self.assessed_on and self.next_review <= self.assessed_on:
            raise ValidationError({"next_review": _("The next review must come after the assessment.")})


class ConsentRecord(FamilyRecord):
    class Scope(models.TextChoices):
        PERSONAL = "personal", _("personal information")
        SENSITIVE = "sensitive", _("sensitive personal information")

    family = models.ForeignKey(
        RecipientFamily, on_delete=models.CASCADE, related_name="consents", verbose_name=_("family")
    )
    scope = models.CharField(_("consent to"), max_length=10, choices=Scope.choices)
    subject = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("whose data"),
        help_text=_("Empty: the whole family."),
    )
    given_by = models.CharField(_("given by"), max_length=80)
    by_guardian = models.BooleanField(
        _("given by a guardian"), default=False, help_text=_("Required for a child under 14 (PIPL art. 31).")
    )
    given_on = models.DateField(_("given on"), default=timezone.localdate)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["family_id", "-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("given_on")),
                name="consent_withdrawn_after_given",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} — {self.given_by}"

    @property
    def active(self) -> bool:
        return self.withdrawn_on is None

    def clean(self) -> None:
        super().clean()
        subject, family = self.subject, self.family if self.family_id else None
        if subject is not None and family is not None and subject.household_id != family.household_id:
            raise ValidationError({"subject": _("%(name)s is not of this family.") % {"name": subject.name}})
        if self.withdrawn_on is not None and self.given_on and self.withdrawn_on < self.given_on:
            raise ValidationError({"withdrawn_on": _("A consent cannot be withdrawn before it was given.")})
        if subject is not None and is_child(subject) and not self.by_guardian:
            raise ValidationError(
                {
                    "by_guardian": _("%(name)s is under 14: the consent must be given by a guardian.")
                    % {"name": subject.name}
                }
            )


class HomeVisit(FamilyRecord):
    family = models.ForeignKey(
        RecipientFamily, on_delete=models.CASCADE, related_name="visits", verbose_name=_("family")
    )
    visited_on = models.DateField(_("visited on"), default=timezone.localdate)
    visitor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("visitor"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["family_id", "-visited_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.family} {self.visited_on}"
