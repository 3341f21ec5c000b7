"""Issues: raised online or recorded at a forum, supported, made common, followed and ended."""

from collections.abc import Iterable
from datetime import date
from functools import partial

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forums.exceptions import AlreadySupported, ForumError, IllegalTransition, NotLocal
from forums.models import Action, Forum, Issue, IssueChange, ProgressUpdate, Support
from forums.services.common import validated
from forums.tasks import notify_supporters
from yicang.community.models import Community, Resident, User
from yicang.core.photos import checked_photo

# A photo on an issue is one picture of a broken lamp or a blocked stairway: 5 MB is plenty.
MAX_PHOTO_BYTES = 5 * 1024 * 1024


def _new_issue(issue: Issue, photo: UploadedFile | None) -> Issue:
    issue.title = issue.title.strip()
    issue.text = issue.text.strip()
    validated(issue)
    if photo is not None:
        name = f"issue-{timezone.now():%Y%m%d%H%M%S}.jpg"
        issue.photo.save(name, checked_photo(photo, name=name, max_bytes=MAX_PHOTO_BYTES), save=False)
    issue.save()
    IssueChange.objects.create(
        community_id=issue.community_id, issue=issue, from_state="", to_state=Issue.State.RAISED, at=issue.created_at
    )
    return issue


@transaction.atomic
def raise_issue(*, resident: Resident, kind: str, title: str, text: str, photo: UploadedFile | None = None) -> Issue:
    """A resident raises an issue online, for their community's next forum; they are its first supporter.

    Raises ForumError for empty, oversized or marked-up text, contact data in it or a bad photo.
    """
    called = Forum.objects.filter(community_id=resident.community_id, state=Forum.State.CALLED).first()
    issue = Issue(
        community_id=resident.community_id, forum=called, kind=kind, title=title, text=text, raised_by=resident
    )
    _new_issue(issue, photo)
    Support.objects.create(community_id=issue.community_id, issue=issue, resident=resident)
    return issue


@transaction.atomic
def record_issue(
    *, forum: Forum, kind: str, title: str, text: str, by: User, photo: UploadedFile | None = None
) -> Issue:
    """Staff record an issue raised at a forum (called or held).

    Raises IllegalTransition for a forum planned or closed, ForumError for bad input.
    """
    if forum.state not in (Forum.State.CALLED, Forum.State.HELD):
        raise IllegalTransition(_("Issues are recorded at a called or held forum."))
    issue = Issue(community_id=forum.community_id, forum=forum, kind=kind, title=title, text=text, recorded_by=by)
    return _new_issue(issue, photo)


@transaction.atomic
def support_issue(*, issue: Issue, resident: Resident) -> Support:
    """A resident of the issue's community supports it, once; ended issues take no more support.

    Raises NotLocal, IllegalTransition or AlreadySupported; nothing is written then.
    """
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if resident.community_id != issue.community_id:
        raise NotLocal(_("Only residents of the issue's community can support it."))
    if issue.has_ended:
        raise IllegalTransition(_("This issue has ended; it takes no more support."))
    if Support.objects.filter(issue=issue, resident=resident).exists():
        raise AlreadySupported(_("You already support this issue."))
    return Support.objects.create(community_id=issue.community_id, issue=issue, resident=resident)


def _change(issue: Issue, to_state: str, by: User | None, note: str = "") -> IssueChange:
    """Move the (locked) issue to a state, record it in its timeline and tell its supporters after commit."""
    change = IssueChange.objects.create(
        community_id=issue.community_id, issue=issue, from_state=issue.state, to_state=to_state, by=by, note=note
    )
    issue.state = to_state
    issue.state_changed_at = change.at
    issue.save(update_fields=["state", "state_changed_at", "forum"])
    transaction.on_commit(partial(notify_supporters.delay, change_id=change.pk))
    return change


def _locked_issue(issue: Issue, to_state: str) -> Issue:
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if not issue.can_become(to_state):
        raise IllegalTransition(
            _("%(issue)s is %(state)s; it cannot become %(to)s.")
            % {"issue": issue, "state": issue.get_state_display(), "to": Issue.State(to_state).label}
        )
    return issue


def _check_leads(community_id: int, leads: Iterable[Resident]) -> list[Resident]:
    leads = list(leads)
    for lead in leads:
        if lead.community_id != community_id:
            raise ForumError(_("%(name)s lives in another community.") % {"name": lead})
    return leads


@transaction.atomic
def mark_common(*, issue: Issue, forum: Forum, by: User, plan: str = "", leads: Iterable[Resident] = ()) -> Action:
    """The forum marks an issue as common: collective action follows, and the next forum waits for it.

    Only at the community's latest held forum and before the next forum is called (both under the
    community's lock, as call_forum takes it): otherwise a common issue could appear behind a forum
    already called. Raises IllegalTransition, ForumError; nothing is written then.
    """
    Community.objects.select_for_update().get(pk=forum.community_id)
    forum = Forum.objects.get(pk=forum.pk)
    issue = _locked_issue(issue, Issue.State.COMMON)
    if issue.community_id != forum.community_id:
        raise ForumError(_("%(issue)s belongs to another community.") % {"issue": issue})
    latest = (
        Forum.objects.filter(community_id=forum.community_id, state__in=[Forum.State.HELD, Forum.State.CLOSED])
        .order_by("-held_at", "-pk")
        .first()
    )
    if forum.state != Forum.State.HELD or latest != forum:
        raise IllegalTransition(_("Common issues are marked at the community's latest held forum."))
    if Forum.objects.filter(community_id=forum.community_id, state=Forum.State.CALLED).exists():
        raise IllegalTransition(_("The next forum is already called; common issues were to be marked before it."))
    action = Action(community_id=issue.community_id, issue=issue, plan=plan.strip())
    validated(action)
    issue.forum = forum
    action.save()
    action.leads.set(_check_leads(issue.community_id, leads))
    _change(issue, Issue.State.COMMON, by, note=action.plan)
    return action


@transaction.atomic
def set_leads(*, action: Action, leads: Iterable[Resident], by: User) -> Action:
    """Name the residents who lead a common issue's action (residents of its community)."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    action.leads.set(_check_leads(action.community_id, leads))
    return action


@transaction.atomic
def record_progress(*, action: Action, step: str, text: str, by: User, on: date | None = None) -> ProgressUpdate:
    """A dated progress update of a common issue in progress; the action is now at that step.

    Raises IllegalTransition for an issue that has ended, ForumError for bad input or a future date.
    """
    action = Action.objects.select_for_update().select_related("issue").get(pk=action.pk)
    if action.issue.state != Issue.State.COMMON:
        raise IllegalTransition(_("Progress is recorded while a common issue is in progress."))
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ForumError(_("Progress is recorded once it happened, not for a future date."))
    update = ProgressUpdate(
        community_id=action.community_id, action=action, step=step, text=text.strip(), on=on, recorded_by=by
    )
    validated(update)
    update.save()
    action.step = step
    action.save(update_fields=["step"])
    return update


@transaction.atomic
def resolve_issue(*, issue: Issue, result: str, by: User) -> Issue:
    """A common issue is resolved, with its result. Raises IllegalTransition, ForumError (no result)."""
    issue = _locked_issue(issue, Issue.State.RESOLVED)
    result = result.strip()
    if not result:
        raise ForumError(_("Say what the result was."))
    action = Action.objects.select_for_update().get(issue=issue)
    action.result = result
    action.ended_at = timezone.now()
    validated(action)
    action.save(update_fields=["result", "ended_at"])
    _change(issue, Issue.State.RESOLVED, by, note=result)
    return issue


@transaction.atomic
def close_not_possible(*, issue: Issue, reason: str, by: User) -> Issue:
    """A common issue is closed as not possible, with the reason the forum recorded."""
    issue = _locked_issue(issue, Issue.State.NOT_POSSIBLE)
    reason = reason.strip()
    if not reason:
        raise ForumError(_("Give the reason the forum recorded for closing it as not possible."))
    action = Action.objects.select_for_update().get(issue=issue)
    action.not_possible_reason = reason
    action.ended_at = timezone.now()
    validated(action)
    action.save(update_fields=["not_possible_reason", "ended_at"])
    _change(issue, Issue.State.NOT_POSSIBLE, by, note=reason)
    return issue
