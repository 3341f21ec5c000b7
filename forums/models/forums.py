"""Forums (你好邻居), the issues residents raise, and the common issues the forum acts on.

A forum is planned, called (announced: date, place, agenda and the discussion rules), held (attendance
and minutes recorded) and closed (when every common issue it took up has ended). An issue is raised
online by a resident or recorded by staff at a forum; the forum marks some as common issues, each with
an action (lead residents, steps with dated progress, small grants paid through the ledger) that ends
resolved or closed as not possible. The rule between forums is kept in services.forums.call_forum.
"""

from typing import ClassVar

from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yicang.community.models import (
    AppendOnly,
    AppendOnlyQuerySet,
    CommunityOwned,
    Resident,
    User,
    check_same_community,
)
from yicang.core.text import PUBLIC_TEXT
from yicang.ledger.models import Transaction, Unit
from yicang.ledger.units import format_amount

MAX_ISSUE_TEXT = 1000
MAX_RULES_TEXT = 4000
MAX_MINUTES_TEXT = 10000
MAX_ATTENDANCE = 10000


class DiscussionRules(CommunityOwned):
    """The community's discussion rules, copied into each forum it plans (the centre edits them here)."""

    text = models.TextField(_("discussion rules"), validators=[MaxLengthValidator(MAX_RULES_TEXT), *PUBLIC_TEXT])
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("discussion rules")
        verbose_name_plural = _("discussion rules")
        ordering = ["community_id"]
        constraints = [models.UniqueConstraint(fields=["community"], name="discussion_rules_one_per_community")]

    def __str__(self) -> str:
        return str(_("Discussion rules of %(community)s") % {"community": self.community})


class Forum(CommunityOwned):
    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        CALLED = "called", _("called")
        HELD = "held", _("held")
        CLOSED = "closed", _("closed")

    title = models.CharField(_("title"), max_length=80, validators=PUBLIC_TEXT)
    held_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=120, validators=PUBLIC_TEXT)
    agenda = models.TextField(_("agenda"), blank=True, validators=[MaxLengthValidator(2000), *PUBLIC_TEXT])
    rules = models.TextField(
        _("discussion rules"),
        blank=True,
        validators=[MaxLengthValidator(MAX_RULES_TEXT), *PUBLIC_TEXT],
        help_text=_("Shown to everyone on the forum's page; copied from the community's rules when planned."),
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PLANNED, editable=False)
    attendance = models.PositiveIntegerField(
        _("attendance"), null=True, blank=True, validators=[MaxValueValidator(MAX_ATTENDANCE)]
    )
    minutes = models.TextField(
        pgettext_lazy("record of a meeting", "minutes"),
        blank=True,
        validators=[MaxLengthValidator(MAX_MINUTES_TEXT), *PUBLIC_TEXT],
    )
    called_at = models.DateTimeField(_("called at"), null=True, blank=True, editable=False)
    called_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("called by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        ordering = ["-held_at", "-pk"]
        permissions = [("call_forum", _("Can call a forum"))]
        indexes = [models.Index(fields=["community", "state", "held_at"], name="forum_community_state")]
        constraints = [
            # One called forum per community: the next is called once this one has been held. The
            # service refuses first, with a message; this is the database's word under any race.
            models.UniqueConstraint(fields=["community"], condition=Q(state="called"), name="forum_one_called"),
            models.CheckConstraint(
                condition=Q(state="planned", called_at__isnull=True)
                | (~Q(state="planned") & Q(called_at__isnull=False)),
                name="forum_called_iff_not_planned",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["planned", "called"]) | Q(attendance__isnull=False),
                name="forum_held_has_attendance",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {timezone.localtime(self.held_at):%Y-%m-%d}"

    @property
    def is_upcoming(self) -> bool:
        return self.state == self.State.CALLED and self.held_at >= timezone.now()


class Issue(CommunityOwned):
    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("complaint")
        CONCERN = "concern", _("concern")
        SUGGESTION = "suggestion", _("suggestion")
        WISH = "wish", _("wish")

    class State(models.TextChoices):
        RAISED = "raised", _("raised")
        COMMON = "common", _("common issue, in progress")
        RESOLVED = "resolved", _("resolved")
        NOT_POSSIBLE = "not_possible", _("closed as not possible")

    ENDED: ClassVar[list[str]] = [State.RESOLVED, State.NOT_POSSIBLE]
    # A common issue ends resolved or closed as not possible; nothing reopens an ended one.
    TRANSITIONS: ClassVar[dict[str, set[str]]] = {
        State.RAISED: {State.COMMON},
        State.COMMON: {State.RESOLVED, State.NOT_POSSIBLE},
    }

    forum = models.ForeignKey(
        Forum,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issues",
        verbose_name=_("forum"),
        help_text=_("The forum that discusses it; an issue raised online between forums has none yet."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("in a few words"), max_length=80, validators=PUBLIC_TEXT)
    text = models.TextField(_("what it is about"), validators=[MaxLengthValidator(MAX_ISSUE_TEXT), *PUBLIC_TEXT])
    photo = models.ImageField(_("photo"), upload_to="forums/issues/%Y/%m/", blank=True)
    raised_by = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forum_issues",
        verbose_name=_("raised by"),
    )
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by staff")
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.RAISED, editable=False)
    state_changed_at = models.DateTimeField(_("state changed at"), default=timezone.now, editable=False)
    created_at = models.DateTimeField(_("raised at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["community", "state"], name="issue_community_state"),
            models.Index(fields=["forum", "state"], name="issue_forum_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(raised_by__isnull=False) | Q(recorded_by__isnull=False), name="issue_has_an_author"
            ),
            models.CheckConstraint(condition=Q(state="raised") | Q(forum__isnull=False), name="issue_common_at_forum"),
        ]

    def __str__(self) -> str:
        return self.title

    def can_become(self, state: str) -> bool:
        return state in self.TRANSITIONS.get(self.state, set())

    @property
    def has_ended(self) -> bool:
        return self.state in self.ENDED

    def clean(self) -> None:
        super().clean()
        check_same_community(self.community_id, self.forum, "forum")
        check_same_community(self.community_id, self.raised_by, "raised_by")


class Support(CommunityOwned):
    """A resident supports an issue, once (a unique key); supporters hear when its state changes."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="supports", verbose_name=_("issue"))
    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="forum_supports", verbose_name=_("resident")
    )
    created_at = models.DateTimeField(_("supported at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        ordering = ["issue_id", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["issue", "resident"], name="support_once_per_resident")]

    def __str__(self) -> str:
        return f"{self.resident} → {self.issue}"


class IssueChange(AppendOnly, CommunityOwned):
    """One change of an issue's state: its public timeline, and what supporters are told about."""

    issue = models.ForeignKey(Issue, on_delete=models.PROTECT, related_name="changes", verbose_name=_("issue"))
    from_state = models.CharField(_("from"), max_length=12, choices=Issue.State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=Issue.State.choices)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )

    objects = AppendOnlyQuerySet.as_manager()  # type: ignore[misc]  # narrows the inherited manager

    class Meta:
        verbose_name = _("issue state change")
        verbose_name_plural = _("issue state changes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.issue}: {self.get_to_state_display()}"


class Action(CommunityOwned):
    """What the forum decided to do about a common issue, and how it ended."""

    class Step(models.TextChoices):
        PLANNING = "planning", _("co-planning")
        BUILDING = "building", _("co-building")
        MANAGING = "managing", _("co-management")

    issue = models.OneToOneField(Issue, on_delete=models.PROTECT, related_name="action", verbose_name=_("issue"))
    leads = models.ManyToManyField(
        Resident, blank=True, related_name="forum_actions_led", verbose_name=_("lead residents")
    )
    plan = models.TextField(_("what the forum agreed"), blank=True, validators=[MaxLengthValidator(2000), *PUBLIC_TEXT])
    step = models.CharField(_("current step"), max_length=10, choices=Step.choices, default=Step.PLANNING)
    result = models.TextField(_("result"), blank=True, validators=[MaxLengthValidator(2000), *PUBLIC_TEXT])
    not_possible_reason = models.TextField(
        _("why it is not possible"), blank=True, validators=[MaxLengthValidator(2000), *PUBLIC_TEXT]
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("action on a common issue")
        verbose_name_plural = _("actions on common issues")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | ~Q(result="") | ~Q(not_possible_reason=""),
                name="action_ended_with_result_or_reason",
            ),
        ]

    def __str__(self) -> str:
        return str(self.issue)


class ProgressUpdate(AppendOnly, CommunityOwned):
    """A dated step of the action: what was planned, built or is being managed together."""

    action = models.ForeignKey(
        Action,
        on_delete=models.PROTECT,
        related_name="updates",
        verbose_name=pgettext_lazy("on a common issue", "action"),
    )
    step = models.CharField(_("step"), max_length=10, choices=Action.Step.choices)
    on = models.DateField(_("on"), default=timezone.localdate)
    text = models.TextField(_("progress"), validators=[MaxLengthValidator(1000), *PUBLIC_TEXT])
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    objects = AppendOnlyQuerySet.as_manager()  # type: ignore[misc]  # narrows the inherited manager

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.get_step_display()}"


class Grant(CommunityOwned):
    """A small grant to a common issue's action, paid from the community fund into the action's account.

    Whether it still stands is the ledger's word: a grant whose payment was reversed (here or in the
    ledger's admin) is shown as reversed, and another may then be paid.
    """

    action = models.ForeignKey(
        Action,
        on_delete=models.PROTECT,
        related_name="grants",
        verbose_name=pgettext_lazy("on a common issue", "action"),
    )
    amount_fen = models.PositiveIntegerField(_("amount (fen)"), help_text=_("In fen: ¥1,000 is 100000."))
    purpose = models.CharField(_("purpose"), max_length=200, validators=PUBLIC_TEXT)
    payment = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="+", verbose_name=_("payment"))
    paid_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("paid by"))
    paid_at = models.DateTimeField(_("paid at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("small grant")
        verbose_name_plural = _("small grants")
        ordering = ["-paid_at", "-pk"]
        permissions = [("pay_grant", _("Can pay a forum's small grant from the community fund"))]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="forum_grant_amount_positive")]

    def __str__(self) -> str:
        return f"{self.action} · {format_amount(self.amount_fen, Unit.CNY)}"
