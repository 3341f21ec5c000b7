from typing import Any, ClassVar, NoReturn

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yicang.community.identity import mask
from yicang.community.scoping import CommunityScopedQuerySet
from yicang.core.crypto import unseal
from yicang.core.sensitive import Sensitive


class UserQuerySet(CommunityScopedQuerySet["User"]):
    pass


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """Anyone who logs in: centre staff, national staff, and (later) residents using the portal."""

    # A user is visible to the staff of every community they are a member of.
    community_path: ClassVar[str] = "memberships__community"

    is_national = models.BooleanField(
        _("national staff"),
        default=False,
        help_text=_("Sees and manages every community, not only those of the user's memberships."),
    )

    objects: ClassVar[ScopedUserManager] = ScopedUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def sees_all_communities(self) -> bool:
        return self.is_active and (self.is_superuser or self.is_national)


class Community(models.Model):
    """The tenant: one neighbourhood community (社区) of a street (街道), district and city."""

    community_path: ClassVar[str] = ""

    province = models.CharField(_("province"), max_length=50)
    city = models.CharField(_("city"), max_length=50)
    district = models.CharField(_("district"), max_length=50)
    street = models.CharField(_("street"), max_length=80, help_text=_("The sub-district (街道) office."))
    name = models.CharField(_("name"), max_length=80)
    code = models.SlugField(
        _("code"), max_length=60, unique=True, help_text=_("Short, stable identifier used in addresses.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["province", "city", "district", "street", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "district", "street", "name"], name="community_unique_name_in_street"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def place(self) -> str:
        return f"{self.city} {self.district} {self.street}"


def check_same_community(community_id: int | None, other: models.Model | None, field: str) -> None:
    """Raise a form error on `field` when `other` (any row with a community) is of another community."""
    other_id = getattr(other, "community_id", None)
    if other is not None and community_id is not None and other_id is not None and other_id != community_id:
        raise ValidationError({field: _("%(name)s belongs to another community.") % {"name": other}})


class CommunityOwned(models.Model):
    """A record that a centre manages: it belongs to exactly one community, and is scoped by it.

    Models of every app extend this; a community with records is never deleted (PROTECT).
    """

    community_path: ClassVar[str] = "community"

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="%(class)ss", verbose_name=_("community")
    )

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class AppendOnlyQuerySet(CommunityScopedQuerySet[Any]):
    """Rows that are history (ledger legs, item events): added, never changed in bulk or deleted."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("These rows are append-only; record a correction instead.")

    def delete(self) -> NoReturn:
        raise TypeError("These rows are append-only; record a correction instead.")


class AppendOnly(models.Model):
    """A model whose rows, once saved, are never saved again nor deleted (see AppendOnlyQuerySet)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("These rows are append-only; record a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("These rows are append-only; record a correction instead.")


class Household(CommunityOwned):
    """One family. The same household may give, receive and volunteer over time."""

    name = models.CharField(_("household name"), max_length=80, help_text=_("How neighbours know it, e.g. 王家."))
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["community_id", "name", "pk"]
        indexes = [models.Index(fields=["community", "name"], name="household_community_name")]

    def __str__(self) -> str:
        return self.name


class Resident(CommunityOwned):
    """A person, usually of a household; one resident may be donor, recipient and volunteer."""

    class Gender(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")
        UNSPECIFIED = "unspecified", _("not stated")

    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
        verbose_name=_("household"),
    )
    name = models.CharField(_("name"), max_length=80)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, default=Gender.UNSPECIFIED)
    # The year alone: enough to tell an elderly resident or a minor, less to leak than a birth date.
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    # The ID number itself only sealed; its keyed hash finds duplicates, its last four digits show it masked.
    id_number_sealed = models.TextField(blank=True, editable=False)
    id_number_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    id_number_last4 = models.CharField(max_length=4, blank=True, editable=False)
    id_verified_at = models.DateTimeField(_("residency verified at"), null=True, blank=True, editable=False)
    id_verified_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("verified by")
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    user = models.OneToOneField(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resident",
        verbose_name=_("portal account"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    SENSITIVE: ClassVar[dict[str, Sensitive]] = {
        "id_number": Sensitive(
            label=_("resident ID number"),
            permission="community.reveal_id_number",
            read=lambda resident: unseal(resident.id_number_sealed) if resident.id_number_sealed else "",
        ),
    }

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["community_id", "name", "pk"]
        permissions = [
            ("reveal_id_number", _("Can see a full resident ID number")),
            ("export_resident", _("Can export a resident's personal data")),
            ("anonymise_resident", _("Can erase a resident's personal data")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True) | Q(birth_year__gte=1900, birth_year__lte=2100),
                name="resident_birth_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask(self.id_number_last4)

    def clean(self) -> None:
        super().clean()
        household = self.household
        if household is not None and self.community_id is not None and household.community_id != self.community_id:
            raise ValidationError({"household": _("The household belongs to another community.")})
        if self.birth_year is not None and self.birth_year > timezone.localdate().year:
            raise ValidationError({"birth_year": _("The birth year cannot be in the future.")})


class StaffMembership(CommunityOwned):
    """A staff user's place in a community: it decides which communities' records they see."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("centre manager")
        WAREHOUSE = "warehouse", _("warehouse manager")
        STAFF = "staff", _("centre staff")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)
    since = models.DateField(_("since"), default=timezone.localdate)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        ordering = ["community_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "community"], name="membership_unique_user_community"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.community}"


class SensitiveAccess(CommunityOwned):
    """One look by staff at a person's sensitive data: who, when, whose, which field, and why."""

    class Action(models.TextChoices):
        REVEAL = "reveal", _("revealed")
        EXPORT = "export", _("exported")
        ERASE = "erase", _("erased")

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member"))
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_label = models.CharField(_("whose"), max_length=120)
    field = models.CharField(_("what"), max_length=60)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    reason = models.CharField(_("why"), max_length=300)

    class Meta:
        verbose_name = _("sensitive data access")
        verbose_name_plural = _("sensitive data accesses")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="access_subject")]

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.subject_label}.{self.field}"
