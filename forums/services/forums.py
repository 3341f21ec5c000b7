"""Forums: planned, called (where the rule between forums is kept), held and closed."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forums.exceptions import ForumAlreadyCalled, ForumError, IllegalTransition, NotAllowed, PreviousIssuesUnresolved
from forums.models import DiscussionRules, Forum, Issue
from forums.models.forums import MAX_ATTENDANCE
from forums.selectors import open_common_issues
from forums.services.common import staff_of, validated
from yicang.community.models import Community, User

CALL_FORUM = "forums.call_forum"

DEFAULT_RULES = (
    "1. 每人发言不超过三分钟，轮流发言。\n"
    "2. 对事不对人，尊重不同意见。\n"
    "3. 只提出建议，也一起想办法、一起行动。\n"
    "4. 不公开他人的电话、住址等个人信息。\n"
    "5. 共同议题由到场居民举手表决。"
)


def _quoted(issues: Iterable[Issue]) -> str:
    return "、".join(f"「{issue.title}」" for issue in issues)


def rules_for(community: Community) -> str:
    """The discussion rules a new forum of the community starts with: the centre's own, or ours."""
    own = DiscussionRules.objects.filter(community=community).values_list("text", flat=True).first()
    return own or DEFAULT_RULES


@transaction.atomic
def plan_forum(
    *,
    community: Community,
    title: str,
    held_at: datetime,
    place: str,
    by: User | None,
    agenda: str = "",
    rules: str | None = None,
) -> Forum:
    """Put a forum in the community's plans (not yet announced); its rules start as the community's.

    Raises ForumError for empty, oversized or marked-up text and a date already past; nothing is written then.
    """
    forum = Forum(
        community=community,
        title=title.strip(),
        held_at=held_at,
        place=place.strip(),
        agenda=agenda.strip(),
        rules=(rules if rules is not None else rules_for(community)).strip(),
    )
    _check_date(held_at)
    validated(forum)
    forum.save()
    return forum


def _check_date(held_at: datetime) -> None:
    if timezone.is_naive(held_at):
        raise ForumError(_("Give the forum's time with its time zone."))
    if held_at <= timezone.now():
        raise ForumError(_("A forum is planned for a time still to come."))


@transaction.atomic
def update_forum(*, forum: Forum, by: User | None, **changes: object) -> Forum:
    """Change a forum's details: date, place, title, agenda and rules before it is held; minutes after.

    Raises IllegalTransition for a change its state does not allow, ForumError for bad input.
    """
    forum = Forum.objects.select_for_update().get(pk=forum.pk)
    before_held = {"title", "held_at", "place", "agenda", "rules"}
    after_held = {"minutes", "attendance"}
    allowed = before_held if forum.state in (Forum.State.PLANNED, Forum.State.CALLED) else after_held
    refused = sorted(name for name, value in changes.items() if getattr(forum, name) != value and name not in allowed)
    if refused:
        raise IllegalTransition(
            _("A %(state)s forum's %(fields)s cannot be changed.")
            % {"state": forum.get_state_display(), "fields": ", ".join(refused)}
        )
    for name, value in changes.items():
        setattr(forum, name, value.strip() if isinstance(value, str) else value)
    if "held_at" in changes and forum.state in (Forum.State.PLANNED, Forum.State.CALLED):
        _check_date(forum.held_at)
    validated(forum)
    forum.save()
    return forum


def may_call(user: User, forum: Forum) -> bool:
    """Staff of the forum's community allowed to call forums (centre managers and staff)."""
    return staff_of(user, forum.community_id, CALL_FORUM)


@transaction.atomic
def call_forum(*, forum: Forum, by: User) -> Forum:
    """Announce a planned forum: the rule that earns trust is checked here, and only here.

    Refused while any common issue of the community's previous forums is unresolved
    (PreviousIssuesUnresolved, naming them), while another forum is called and not yet held
    (ForumAlreadyCalled), for a forum not planned (IllegalTransition), a date already past
    (ForumError) or a user who may not (NotAllowed). Locks the community's row first, so that two
    staff calling forums at the same moment are decided one after the other: the second sees the first.
    """
    community = Community.objects.select_for_update().get(pk=forum.community_id)
    forum = Forum.objects.select_for_update().get(pk=forum.pk)
    if not may_call(by, forum):
        raise NotAllowed(_("Only staff of %(community)s can call its forums.") % {"community": community})
    if forum.state != Forum.State.PLANNED:
        raise IllegalTransition(
            _("%(forum)s is %(state)s; only a planned forum is called.")
            % {"forum": forum, "state": forum.get_state_display()}
        )
    if forum.held_at <= timezone.now():
        raise ForumError(_("%(forum)s is dated in the past; change its date first.") % {"forum": forum})
    unresolved = list(open_common_issues(community))
    if unresolved:
        raise PreviousIssuesUnresolved(
            _(
                "The next forum of %(community)s cannot be called until every common issue of its previous "
                "forum is resolved. Still open: %(issues)s."
            )
            % {"community": community, "issues": _quoted(unresolved)}
        )
    called = Forum.objects.filter(community=community, state=Forum.State.CALLED).first()
    if called is not None:
        raise ForumAlreadyCalled(
            _("%(forum)s is already called; the next forum is called after it has been held.") % {"forum": called}
        )
    forum.state = Forum.State.CALLED
    forum.called_at = timezone.now()
    forum.called_by = by
    forum.save(update_fields=["state", "called_at", "called_by"])
    return forum


@transaction.atomic
def hold_forum(*, forum: Forum, attendance: int, minutes: str, by: User) -> Forum:
    """Record that a called forum took place: how many came and the minutes.

    Issues raised online since the last forum are taken into it. Raises IllegalTransition for a forum
    not called or still to come, ForumError for bad attendance or minutes.
    """
    forum = Forum.objects.select_for_update().get(pk=forum.pk)
    if forum.state != Forum.State.CALLED:
        raise IllegalTransition(
            _("%(forum)s is %(state)s; only a called forum is held.")
            % {"forum": forum, "state": forum.get_state_display()}
        )
    if forum.held_at > timezone.now():
        raise IllegalTransition(_("%(forum)s has not taken place yet.") % {"forum": forum})
    if type(attendance) is not int or not 0 <= attendance <= MAX_ATTENDANCE:
        raise ForumError(_("Give the attendance as a whole number of people."))
    forum.state = Forum.State.HELD
    forum.attendance = attendance
    forum.minutes = minutes.strip()
    validated(forum)
    forum.save(update_fields=["state", "attendance", "minutes"])
    # An update sends no signal; the forum's save above has bumped the public answers these issues are in.
    Issue.objects.filter(community_id=forum.community_id, forum__isnull=True, state=Issue.State.RAISED).update(
        forum=forum
    )
    return forum


@transaction.atomic
def close_forum(*, forum: Forum, by: User) -> Forum:
    """Close a held forum once every common issue it took up has ended (resolved or not possible)."""
    forum = Forum.objects.select_for_update().get(pk=forum.pk)
    if forum.state != Forum.State.HELD:
        raise IllegalTransition(
            _("%(forum)s is %(state)s; only a held forum is closed.")
            % {"forum": forum, "state": forum.get_state_display()}
        )
    still_open = list(forum.issues.filter(state=Issue.State.COMMON).order_by("created_at", "pk"))
    if still_open:
        raise IllegalTransition(
            _("%(forum)s still has common issues in progress: %(issues)s.")
            % {"forum": forum, "issues": _quoted(still_open)}
        )
    forum.state = Forum.State.CLOSED
    forum.save(update_fields=["state"])
    return forum
