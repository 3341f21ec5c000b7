"""Training, commendation and capacity grants for volunteers, and the activities they run.

Two activities carry people who must stay unseen. The one person a One-Audience Theatre plays for is
often elderly, alone or disabled: the theatre keeps no name of them, at most a link to the resident that
only holders of `view_audience` see. The children of A Spoon of Rice are minors: they are recorded by a
first name or nickname and their guardian, nothing more. Statistics read only counts (selectors.py).
"""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from volunteers.models import Centre, Group, Volunteer
from yicang.community.models import CommunityOwned, Household, Resident, User, check_same_community
from yicang.community.scoping import CommunityScopedQuerySet
from yicang.ledger.models import Transaction

# The programme's own words: each child knocks on ten neighbours' doors.
DOORS_PER_CHILD = 10
# A spoon, a bowl, at most a bag: more than this is a kilograms-for-grams slip that would swell the
# published figure of rice collected.
MAX_RICE_GRAMS = 5000


def _elsewhere(community_id: int | None, other_community_id: int | None) -> bool:
    return community_id is not None and other_community_id is not None and other_community_id != community_id


# --- Training -------------------------------------------------------------------------------------


class Curriculum(CommunityOwned):
    """A course that builds volunteers' capacity (first aid, running a forum, community theatre)."""

    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    hours_planned = models.PositiveSmallIntegerField(_("hours planned"))

    class Meta:
        verbose_name = _("curriculum")
        verbose_name_plural = _("curricula")
        ordering = ["community_id", "title"]
        constraints = [
            models.UniqueConstraint(fields=["community", "title"], name="curriculum_unique_title_in_community"),
            models.CheckConstraint(condition=Q(hours_planned__gt=0), name="curriculum_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class TrainingSession(models.Model):
    community_path: ClassVar[str] = "curriculum__community"

    curriculum = models.ForeignKey(
        Curriculum, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("curriculum")
    )
    held_on = models.DateField(_("held on"), default=timezone.localdate)
    place = models.CharField(_("place"), max_length=100)
    trainer = models.CharField(_("trainer"), max_length=80, help_text=_("The trainer's name."))

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.curriculum} · {self.held_on}"


class Attendance(models.Model):
    community_path: ClassVar[str] = "session__curriculum__community"

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("session")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("volunteer")
    )
    attended = models.BooleanField(_("attended"), default=True)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["session_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "volunteer"], name="attendance_once_per_session")]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.session}"

    def clean(self) -> None:
        super().clean()
        if self.session_id is None or self.volunteer_id is None:
            return
        community_id = self.session.curriculum.community_id
        if _elsewhere(community_id, self.volunteer.community_id):
            raise ValidationError(
                {"volunteer": _("%(name)s volunteers in another community.") % {"name": self.volunteer}}
            )


# --- Commendation ---------------------------------------------------------------------------------


class Commendation(CommunityOwned):
    """An award a volunteer received, such as 优秀志愿者 from the street office."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="commendations", verbose_name=_("volunteer")
    )
    title = models.CharField(_("title"), max_length=60, help_text=_("e.g. 优秀志愿者"))
    awarded_on = models.DateField(_("awarded on"), default=timezone.localdate)
    awarded_by = models.CharField(_("awarded by"), max_length=100, help_text=_("The organisation that gave it."))
    citation = models.TextField(_("citation"), blank=True)
    public = models.BooleanField(
        _("shown in the public register"),
        default=False,
        help_text=_("Only for volunteers who agreed to be named publicly."),
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        ordering = ["-awarded_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "title", "awarded_on"], name="commendation_once_per_volunteer_title_day"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="commendation_has_title"),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.volunteer}"

    def clean(self) -> None:
        super().clean()
        volunteer = self.volunteer if self.volunteer_id is not None else None
        if volunteer is None:
            return
        if _elsewhere(self.community_id, volunteer.community_id):
            raise ValidationError({"volunteer": _("%(name)s volunteers in another community.") % {"name": volunteer}})
        if self.awarded_on and self.awarded_on > timezone.localdate():
            raise ValidationError({"awarded_on": _("A commendation cannot be awarded in the future.")})
        # The public register names volunteers only with their consent (PIPL): a public award names them.
        if self.public and not volunteer.public_name_consent:
            raise ValidationError({"public": _("%(name)s has not agreed to be named publicly.") % {"name": volunteer}})


# --- Capacity grants ------------------------------------------------------------------------------


class CapacityGrant(CommunityOwned):
    """A small grant to a volunteer group or a mutual-assistance centre to build its capacity.

    Approved here, paid once through the ledger (services.pay_capacity_grant): the community fund
    down, an account of the grant's own up.
    """

    class Status(models.TextChoices):
        APPROVED = "approved", _("approved, not yet paid")
        PAID = "paid", _("paid")

    group = models.ForeignKey(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="capacity_grants",
        verbose_name=_("volunteer group"),
    )
    centre = models.ForeignKey(
        Centre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="capacity_grants",
        verbose_name=_("mutual-assistance centre"),
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    amount_fen = models.PositiveIntegerField(_("amount (fen)"), help_text=_("In fen: ¥1,000 is 100000."))
    granted_on = models.DateField(_("granted on"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.APPROVED)
    payment = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("payment")
    )

    class Meta:
        verbose_name = _("capacity grant")
        verbose_name_plural = _("capacity grants")
        ordering = ["-granted_on", "-pk"]
        permissions = [("pay_capacitygrant", _("Can pay a capacity grant from the community fund"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(group__isnull=False, centre__isnull=True) | Q(group__isnull=True, centre__isnull=False),
                name="capacity_grant_one_recipient",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="capacity_grant_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="paid", payment__isnull=False) | (~Q(status="paid") & Q(payment__isnull=True)),
                name="capacity_grant_paid_iff_payment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.purpose}"

    @property
    def recipient(self) -> Group | Centre | None:
        if self.group_id is not None:
            return self.group
        return self.centre if self.centre_id is not None else None

    def clean(self) -> None:
        super().clean()
        if (self.group_id is None) == (self.centre_id is None):
            raise ValidationError(_("A grant goes to exactly one volunteer group or one mutual-assistance centre."))
        check_same_community(self.community_id, self.recipient, "group" if self.group_id is not None else "centre")


# --- Activities -----------------------------------------------------------------------------------


class Activity(CommunityOwned):
    """A community activity: a One-Audience Theatre, A Spoon of Rice, or an art and culture event."""

    class Kind(models.TextChoices):
        THEATRE = "one_audience_theatre", _("One-Audience Theatre")
        SPOON_OF_RICE = "spoon_of_rice", _("A Spoon of Rice")
        CULTURE = "culture", _("art and culture event")
        OTHER = "other", _("other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)
    held_on = models.DateField(_("held on"), default=timezone.localdate)
    place = models.CharField(_("place"), max_length=120, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    organiser = models.ForeignKey(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("organising group"),
    )
    meal_on = models.DateField(
        _("community meal on"), null=True, blank=True, help_text=_("A Spoon of Rice: the day the rice is shared.")
    )
    meal_note = models.TextField(_("about the meal"), blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["community", "held_on"], name="activity_community_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="spoon_of_rice") | Q(meal_on__isnull=True, meal_note=""),
                name="activity_meal_only_for_rice",
            ),
            models.CheckConstraint(
                condition=Q(meal_on__isnull=True) | Q(meal_on__gte=F("held_on")), name="activity_meal_after_collecting"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_theatre(self) -> bool:
        return self.kind == self.Kind.THEATRE

    @property
    def is_spoon_of_rice(self) -> bool:
        return self.kind == self.Kind.SPOON_OF_RICE

    def clean(self) -> None:
        super().clean()
        check_same_community(self.community_id, self.organiser if self.organiser_id is not None else None, "organiser")
        if not self.is_spoon_of_rice and (self.meal_on is not None or self.meal_note):
            raise ValidationError({"meal_on": _("Only A Spoon of Rice ends in a community meal.")})
        if self.meal_on is not None and self.held_on and self.meal_on < self.held_on:
            raise ValidationError({"meal_on": _("The meal is shared after the rice is collected.")})
        if self.pk is not None:
            # The audience, the children and their visits are kept only for their own kind of activity.
            if not self.is_theatre and TheatreAudience.objects.filter(activity=self).exists():
                raise ValidationError({"kind": _("This activity has a theatre audience; it stays a theatre.")})
            if not self.is_spoon_of_rice and RiceChild.objects.filter(activity=self).exists():
                raise ValidationError({"kind": _("Children take part in this activity; it stays A Spoon of Rice.")})


class ActivityPart(models.Model):
    """A row that belongs to one activity, and through it to its community."""

    community_path: ClassVar[str] = "activity__community"

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class Performer(ActivityPart):
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="performers", verbose_name=_("activity")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="performances", verbose_name=_("volunteer")
    )

    class Meta:
        verbose_name = _("performer")
        verbose_name_plural = _("performers")
        ordering = ["activity_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="performer_once_per_activity")]

    def __str__(self) -> str:
        return str(self.volunteer)

    def clean(self) -> None:
        super().clean()
        if self.activity_id is None or self.volunteer_id is None:
            return
        if _elsewhere(self.activity.community_id, self.volunteer.community_id):
            raise ValidationError(
                {"volunteer": _("%(name)s volunteers in another community.") % {"name": self.volunteer}}
            )


class TheatreAudience(ActivityPart):
    """The one person a One-Audience Theatre played for.

    No name is stored: the people it plays for are isolated, elderly or disabled, and where they
    live alone is exactly what must not leak. The optional link to the resident is shown only on the
    admin page of users with `view_audience`; `__str__` never touches it, so history entries, delete
    pages and lists cannot show it either.
    """

    # One row per theatre, enforced by the one-to-one key: the theatre plays for exactly one person.
    activity = models.OneToOneField(
        Activity, on_delete=models.CASCADE, related_name="audience", verbose_name=_("theatre")
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        # No reverse accessor: nothing reached from a resident should say they were an audience.
        related_name="+",
        verbose_name=_("resident"),
        help_text=_("Optional; seen only by staff allowed to see who the audience was."),
    )
    audience_note = models.CharField(
        _("who, without a name"), max_length=100, blank=True, help_text=_("e.g. 独居老人, 行动不便; never a name.")
    )

    class Meta:
        verbose_name = _("theatre audience")
        verbose_name_plural = _("theatre audiences")
        ordering = ["activity_id"]
        permissions = [("view_audience", _("Can see which resident a One-Audience Theatre played for"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(resident__isnull=False) | ~Q(audience_note=""), name="theatre_audience_described"
            )
        ]

    def __str__(self) -> str:
        return self.audience_note or str(_("one audience member"))

    def clean(self) -> None:
        super().clean()
        activity = self.activity if self.activity_id is not None else None
        if activity is None:
            return
        if not activity.is_theatre:
            raise ValidationError(_("Only a One-Audience Theatre has an audience member recorded."))
        # Also checked here, not only by the constraint: the admin leaves the resident out of the form
        # of staff who may not see it, and the constraint is then not checked until the database.
        if self.resident_id is None and not self.audience_note.strip():
            raise ValidationError({"audience_note": _("Describe the audience member, without a name.")})
        resident = self.resident if self.resident_id is not None else None
        if resident is not None and _elsewhere(activity.community_id, resident.community_id):
            raise ValidationError({"resident": _("The resident lives in another community.")})


class RiceChild(ActivityPart):
    """A child taking part in A Spoon of Rice.

    Children under 14 are a special category of personal data (PIPL art. 28, 31). The activity needs
    only what lets volunteers call a child and return them to an adult: a first name or nickname, and
    the guardian who brought them. No surname, birth date, school, photo or household link is kept, so
    a row cannot identify a child outside the activity.
    """

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="rice_children", verbose_name=_("activity")
    )
    nickname = models.CharField(_("first name or nickname"), max_length=12, help_text=_("e.g. 小宝; never a surname."))
    guardian_name = models.CharField(
        _("guardian"), max_length=40, help_text=_("The parent or guardian who brought the child.")
    )

    class Meta:
        verbose_name = _("child taking part")
        verbose_name_plural = _("children taking part")
        ordering = ["activity_id", "pk"]
        constraints = [
            # Volunteers tell the children of one activity apart by this name alone.
            models.UniqueConstraint(fields=["activity", "nickname"], name="rice_child_unique_nickname"),
            models.CheckConstraint(condition=~Q(nickname="") & ~Q(guardian_name=""), name="rice_child_named"),
        ]

    def __str__(self) -> str:
        return self.nickname

    def clean(self) -> None:
        super().clean()
        if self.activity_id is not None and not self.activity.is_spoon_of_rice:
            raise ValidationError(_("Children take part in A Spoon of Rice only."))


class NeighbourVisit(ActivityPart):
    """One door a child knocked on, and whether the neighbour gave a spoon of rice."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="neighbour_visits", verbose_name=_("activity")
    )
    child = models.ForeignKey(RiceChild, on_delete=models.CASCADE, related_name="visits", verbose_name=_("child"))
    # Which of the child's ten doors this is: with the check and the unique key below, the database
    # itself refuses an eleventh neighbour.
    knock = models.PositiveSmallIntegerField(_("door no."), editable=False)
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("neighbour household"),
    )
    door = models.CharField(
        _("door"), max_length=40, blank=True, help_text=_("When the household is not registered, e.g. 3 单元 201.")
    )
    agreed = models.BooleanField(_("gave rice"), default=True)
    rice_grams = models.PositiveIntegerField(_("rice (grams)"), default=0)

    class Meta:
        verbose_name = _("neighbour visited")
        verbose_name_plural = _("neighbours visited")
        ordering = ["activity_id", "child_id", "knock"]
        constraints = [
            models.CheckConstraint(
                condition=Q(knock__gte=1, knock__lte=DOORS_PER_CHILD), name="rice_visit_at_most_ten_doors"
            ),
            models.UniqueConstraint(fields=["child", "knock"], name="rice_visit_knock_once"),
            models.CheckConstraint(
                condition=Q(household__isnull=False, door="") | (Q(household__isnull=True) & ~Q(door="")),
                name="rice_visit_one_door",
            ),
            models.UniqueConstraint(
                fields=["child", "household"], condition=Q(household__isnull=False), name="rice_visit_household_once"
            ),
            models.UniqueConstraint(fields=["child", "door"], condition=~Q(door=""), name="rice_visit_door_once"),
            models.CheckConstraint(
                condition=Q(agreed=True, rice_grams__gt=0, rice_grams__lte=MAX_RICE_GRAMS)
                | Q(agreed=False, rice_grams=0),
                name="rice_visit_rice_iff_agreed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} → {self.household if self.household_id is not None else self.door}"

    @staticmethod
    def free_knock(child: RiceChild) -> int | None:
        """The lowest of the child's ten door numbers not yet used; None when all ten are."""
        taken = set(NeighbourVisit.objects.filter(child=child).values_list("knock", flat=True))
        return next((n for n in range(1, DOORS_PER_CHILD + 1) if n not in taken), None)

    def clean(self) -> None:
        super().clean()
        if (self.household_id is None) == (not self.door.strip()):
            raise ValidationError(_("Name the neighbour's registered household or write their door, not both."))
        if self.agreed and not 0 < self.rice_grams <= MAX_RICE_GRAMS:
            raise ValidationError(
                {
                    "rice_grams": _("A neighbour who gave rice gave between 1 and %(max)s grams.")
                    % {"max": MAX_RICE_GRAMS}
                }
            )
        if not self.agreed and self.rice_grams:
            raise ValidationError({"rice_grams": _("A neighbour who gave nothing gave 0 grams.")})
        child = self.child if self.child_id is not None else None
        if child is None:
            return
        if self.activity_id is not None and child.activity_id != self.activity_id:
            raise ValidationError({"child": _("%(name)s takes part in another activity.") % {"name": child}})
        household = self.household if self.household_id is not None else None
        community_id = child.activity.community_id
        if household is not None and _elsewhere(community_id, household.community_id):
            raise ValidationError({"household": _("The household belongs to another community.")})
