"""Volunteers, their groups and centres, the organisations they form, and the time they give.

Groups overlap on purpose: residents who belong to several tie the community's network together
(network.py finds them). Time given is credited to the volunteer's household through the ledger once
a centre lead confirms it; nothing here keeps a balance of its own.
"""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yicang.community.models import CommunityOwned, Resident, User, check_same_community
from yicang.community.scoping import CommunityScopedQuerySet
from yicang.ledger.models import Transaction

MAX_MINUTES_A_DAY = 24 * 60


class Volunteer(CommunityOwned):
    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        PAUSED = "paused", _("paused")
        LEFT = "left", _("left")

    resident = models.OneToOneField(
        Resident, on_delete=models.PROTECT, related_name="volunteer", verbose_name=_("resident")
    )
    skills = models.CharField(_("skills"), max_length=200, blank=True, help_text=_("e.g. 理发, 陪诊, 电脑维修"))
    availability = models.CharField(_("availability"), max_length=200, blank=True, help_text=_("e.g. 周末上午"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    since = models.DateField(_("volunteering since"), default=timezone.localdate)
    left_on = models.DateField(
        _("left on"), null=True, blank=True, help_text=_("Set with the status “left”: today, unless you give the day.")
    )
    public_name_consent = models.BooleanField(
        _("may be named publicly"),
        default=False,
        help_text=_("The volunteer agreed that their name may appear in the public volunteer register."),
    )

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["community_id", "resident__name", "pk"]
        constraints = [
            # The statistics count a volunteer in the months between these days: one who left has the day.
            models.CheckConstraint(
                condition=Q(status="left", left_on__isnull=False) | (~Q(status="left") & Q(left_on__isnull=True)),
                name="volunteer_left_with_a_day",
            ),
            models.CheckConstraint(condition=Q(left_on__gte=models.F("since")), name="volunteer_leaves_after_joining"),
        ]

    def __str__(self) -> str:
        return str(self.resident)

    def clean(self) -> None:
        super().clean()
        if self.resident_id is not None:
            check_same_community(self.community_id, self.resident, "resident")
        if self.status != self.Status.LEFT:
            self.left_on = None
        elif self.left_on is None:
            self.left_on = timezone.localdate()
        if self.left_on is not None and self.since is not None and self.left_on < self.since:
            raise ValidationError({"left_on": _("A volunteer leaves on or after the day they began.")})


class Group(CommunityOwned):
    """A volunteer group (it serves) or an interest group (night runs, parent-child reading, patients)."""

    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", _("volunteer group")
        INTEREST = "interest", _("interest group")

    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    open_to_join = models.BooleanField(
        _("residents may join from the portal"), default=False, help_text=_("For interest groups open to all.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["community_id", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="group_unique_name_in_community")]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A resident in a group; residents, not only volunteers, join interest groups."""

    community_path: ClassVar[str] = "group__community"

    class Role(models.TextChoices):
        MEMBER = "member", _("member")
        ORGANISER = "organiser", _("organiser")
        LEAD = "lead", _("lead")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("group"))
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="group_memberships", verbose_name=_("resident")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        ordering = ["group_id", "resident_id"]
        constraints = [models.UniqueConstraint(fields=["group", "resident"], name="membership_once_per_group")]

    def __str__(self) -> str:
        return f"{self.resident} · {self.group}"

    def clean(self) -> None:
        super().clean()
        group, resident = (self.group, self.resident) if self.group_id and self.resident_id else (None, None)
        if group is not None and resident is not None and group.community_id != resident.community_id:
            raise ValidationError({"resident": _("%(name)s lives in another community.") % {"name": resident}})


class Centre(CommunityOwned):
    """A neighbourhood mutual-assistance centre (邻里互助中心): the volunteers who deliver, and their lead."""

    name = models.CharField(_("name"), max_length=80)
    lead = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("lead")
    )
    lead_user = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_centres",
        verbose_name=_("lead's account"),
        help_text=_("The account with which the lead confirms the hours volunteers give."),
    )
    members = models.ManyToManyField(Volunteer, blank=True, related_name="centres", verbose_name=_("members"))

    class Meta:
        verbose_name = _("mutual-assistance centre")
        verbose_name_plural = _("mutual-assistance centres")
        ordering = ["community_id", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="centre_unique_name_in_community")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        check_same_community(self.community_id, self.lead if self.lead_id else None, "lead")


class Organisation(CommunityOwned):
    """A neighbourhood organisation, a community association of them, or a union of associations."""

    class Level(models.IntegerChoices):
        ORGANISATION = 1, _("neighbourhood organisation")
        ASSOCIATION = 2, _("community association")
        UNION = 3, _("union")

    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.ORGANISATION)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
        help_text=_("An organisation joins at most one association; an association at most one union."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["community_id", "-level", "name"]
        constraints = [models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="organisation_not_own_parent")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        parent = self.parent if self.parent_id else None
        if parent is None:
            return
        check_same_community(self.community_id, parent, "parent")
        if parent.level <= self.level:
            raise ValidationError({"parent": _("An organisation can only join one of a higher level.")})
        seen: set[int | None] = {self.pk}
        node: Organisation | None = parent
        while node is not None:
            if node.pk in seen:
                raise ValidationError(
                    {"parent": _("%(parent)s is already part of %(name)s.") % {"parent": parent, "name": self}}
                )
            seen.add(node.pk)
            node = node.parent


class TimeDonation(CommunityOwned):
    """Time a volunteer gave; credited to their household's time account once a centre lead confirms it."""

    class Kind(models.TextChoices):
        STOP = "stop", _("at a Yicang Stop")
        DELIVERY = "delivery", _("on a delivery")
        SERVICE = "service", _("in a service")
        ACTIVITY = "activity", _("at an activity")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for confirmation")
        CONFIRMED = "confirmed", _("confirmed and credited")
        REJECTED = "rejected", _("rejected")

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="donations", verbose_name=_("volunteer")
    )
    minutes = models.PositiveIntegerField(_("minutes"))
    kind = models.CharField(_("where"), max_length=10, choices=Kind.choices)
    given_on = models.DateField(_("given on"), default=timezone.localdate)
    description = models.CharField(_("what was done"), max_length=200)
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, null=True, blank=True, related_name="donations", verbose_name=_("group")
    )
    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, null=True, blank=True, related_name="donations", verbose_name=_("centre")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("confirmed by")
    )
    decided_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    rejection_reason = models.CharField(_("why rejected"), max_length=200, blank=True)
    credit = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("credit")
    )

    class Meta:
        verbose_name = _("time donation")
        verbose_name_plural = _("time donations")
        ordering = ["-given_on", "-pk"]
        permissions = [("confirm_timedonation", _("Can confirm or reject the hours volunteers give"))]
        indexes = [models.Index(fields=["community", "given_on"], name="donation_community_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0, minutes__lte=MAX_MINUTES_A_DAY), name="donation_minutes_in_a_day"
            ),
            models.CheckConstraint(
                condition=Q(status="confirmed", credit__isnull=False)
                | (~Q(status="confirmed") & Q(credit__isnull=True)),
                name="donation_credited_iff_confirmed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.minutes} min · {self.given_on}"

    def clean(self) -> None:
        super().clean()
        if self.volunteer_id is not None:
            check_same_community(self.community_id, self.volunteer, "volunteer")
        check_same_community(self.community_id, self.group if self.group_id else None, "group")
        check_same_community(self.community_id, self.centre if self.centre_id else None, "centre")
        if self.given_on and self.given_on > timezone.localdate():
            raise ValidationError({"given_on": _("Time cannot be given in the future.")})
