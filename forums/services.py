"""Use cases of the forums and the help board; the admin, the API and the pages call these, nothing else writes.

Each is atomic and writes nothing when it refuses: it raises a DomainError subclass from exceptions.py,
whose message is for the person who tried. The rule that earns trust — no new forum in a community
while a common issue of its previous one is unresolved — lives in `call_forum` alone.
"""

from collections.abc import Iterable
from datetime import date, datetime
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forums.exceptions import (
    AlreadyOffered,
    AlreadySupported,
    ForumAlreadyCalled,
    ForumError,
    GrantAlreadyPaid,
    GrantExceedsFund,
    IllegalTransition,
    NoCommunityFund,
    NotAllowed,
    NotLocal,
    PreviousIssuesUnresolved,
)
from forums.models import (
    Action,
    DiscussionRules,
    Forum,
    Grant,
    HelpOffer,
    HelpRequest,
    Issue,
    IssueChange,
    Notification,
    ProgressUpdate,
    Support,
)
from forums.models.forums import MAX_ATTENDANCE
from forums.photos import checked_photo
from forums.selectors import open_common_issues
from forums.tasks import notify_supporters
from volunteers.models import Volunteer
from yicang.community.models import Community, Resident, User
from yicang.ledger.exceptions import InsufficientBalance
from yicang.ledger.models import Account, Transaction, Unit
from yicang.ledger.services import Entry, post_transaction, reverse_transaction
from yicang.ledger.units import format_amount

CALL_FORUM = "forums.call_forum"
PAY_GRANT = "forums.pay_grant"
# A small grant: residents' own solutions, not building works. ¥50,000 is far above any the forums gave.
MAX_GRANT_FEN = 5_000_000

DEFAULT_RULES = (
    "1. 每人发言不超过三分钟，轮流发言。\n"
    "2. 对事不对人，尊重不同意见。\n"
    "3. 只提出建议，也一起想办法、一起行动。\n"
    "4. 不公开他人的电话、住址等个人信息。\n"
    "5. 共同议题由到场居民举手表决。"
)


def _validated(record: models.Model) -> None:
    """The model's own rules (fields, clean, constraints), refused as a ForumError naming each field."""
    try:
        record.full_clean()
    except ValidationError as error:
        parts = []
        for field, messages in error.message_dict.items():
            label = getattr(record._meta.get_field(field), "verbose_name", "") if field != "__all__" else ""
            parts += [f"{label}: {m}" if label else m for m in messages]
        raise ForumError(" ".join(parts)) from None


def _staff_of(user: User, community_id: int, permission: str) -> bool:
    return (
        user.is_active
        and user.has_perm(permission)
        and Community.objects.visible_to(user).filter(pk=community_id).exists()
    )


def _quoted(issues: Iterable[Issue]) -> str:
    return "、".join(f"「{issue.title}」" for issue in issues)


# --- Forums ---------------------------------------------------------------------------------------


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
    _validated(forum)
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
    _validated(forum)
    forum.save()
    return forum


def may_call(user: User, forum: Forum) -> bool:
    """Staff of the forum's community allowed to call forums (centre managers and staff)."""
    return _staff_of(user, forum.community_id, CALL_FORUM)


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
    _validated(forum)
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


# --- Issues ---------------------------------------------------------------------------------------


def _new_issue(issue: Issue, photo: UploadedFile | None) -> Issue:
    issue.title = issue.title.strip()
    issue.text = issue.text.strip()
    _validated(issue)
    if photo is not None:
        issue.photo.save(f"issue-{timezone.now():%Y%m%d%H%M%S}.jpg", checked_photo(photo), save=False)
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
    _validated(action)
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
    _validated(update)
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
    _validated(action)
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
    _validated(action)
    action.save(update_fields=["not_possible_reason", "ended_at"])
    _change(issue, Issue.State.NOT_POSSIBLE, by, note=reason)
    return issue


# --- Small grants ---------------------------------------------------------------------------------


def may_pay(user: User, action: Action) -> bool:
    """Staff of the action's community with the permission to pay grants (centre managers)."""
    return _staff_of(user, action.community_id, PAY_GRANT)


def community_fund_of(community_id: int) -> Account | None:
    return Account.objects.filter(community_id=community_id, kind=Account.Kind.COMMUNITY_FUND).first()


def grant_account_of(action: Action) -> Account:
    """The action's own account in the book, opened on first use and owned by the action."""
    account, _created = Account.objects.get_or_create(
        owner_type=ContentType.objects.get_for_model(Action),
        owner_id=action.pk,
        kind=Account.Kind.GRANT,
        defaults={"community_id": action.community_id, "name": f"小额资助 · {action.issue.title}"[:120]},
    )
    return account


@transaction.atomic
def pay_grant(*, action: Action, amount_fen: int, purpose: str, by: User) -> Grant:
    """Pay a small grant to a common issue's action from the community fund, through the ledger.

    Posts `community fund +amount, action's grant account -amount` (funds hold credits: the fund goes
    down) with the action as cause and an idempotency key. One standing grant per action: locked, so
    two managers paying at once pay once; after a reversal another may be paid. Raises NotAllowed,
    IllegalTransition, GrantAlreadyPaid, NoCommunityFund, GrantExceedsFund (400: more than the fund
    holds) or ForumError; nothing is written then.
    """
    action = Action.objects.select_for_update().select_related("issue", "community").get(pk=action.pk)
    if not may_pay(by, action):
        raise NotAllowed(_("Only a manager of the issue's community can pay its grant."))
    if action.issue.state != Issue.State.COMMON:
        raise IllegalTransition(_("Small grants go to common issues in progress."))
    if type(amount_fen) is not int or not 0 < amount_fen <= MAX_GRANT_FEN:
        raise ForumError(
            _("Give the grant in whole fen, more than nothing and at most %(max)s.")
            % {"max": format_amount(MAX_GRANT_FEN, Unit.CNY)}
        )
    purpose = purpose.strip()
    standing = Grant.objects.filter(action=action, payment__reversal__isnull=True).first()
    if standing is not None:
        raise GrantAlreadyPaid(
            _("%(issue)s already has a grant of %(amount)s; reverse it before paying another.")
            % {"issue": action.issue, "amount": format_amount(standing.amount_fen, Unit.CNY)}
        )
    fund = community_fund_of(action.community_id)
    if fund is None:
        raise NoCommunityFund(_("%(community)s has no community fund to pay from.") % {"community": action.community})
    if amount_fen > fund.shown_balance:
        raise GrantExceedsFund(_exceeds(amount_fen, fund))
    grant = Grant(community_id=action.community_id, action=action, amount_fen=amount_fen, purpose=purpose, paid_by=by)
    try:
        grant.full_clean(exclude=["payment"])
    except ValidationError as error:
        raise ForumError(" ".join(error.messages)) from None
    earlier = Grant.objects.filter(action=action).count()
    try:
        grant.payment = post_transaction(
            community=action.community,
            entries=[Entry(fund, amount_fen), Entry(grant_account_of(action), -amount_fen)],
            reason=_("Forum small grant: %(issue)s") % {"issue": action.issue.title},
            by=by,
            cause=action,
            idempotency_key=f"forum-grant-{action.pk}-{earlier + 1}",
        )
    except InsufficientBalance:
        # The fund was spent by someone else between our look and the ledger's lock.
        raise GrantExceedsFund(_exceeds(amount_fen, Account.objects.get(pk=fund.pk))) from None
    grant.save()
    return grant


def _exceeds(amount_fen: int, fund: Account) -> str:
    return _("A grant of %(amount)s is more than the community fund holds (%(balance)s).") % {
        "amount": format_amount(amount_fen, Unit.CNY),
        "balance": format_amount(fund.shown_balance, Unit.CNY),
    }


@transaction.atomic
def reverse_grant(*, grant: Grant, reason: str, by: User) -> Transaction:
    """Take a grant back into the community fund (a mirror posting in the ledger); another may then be paid.

    Raises NotAllowed, ForumError (no reason) or the ledger's AlreadyReversed / InsufficientBalance (409).
    """
    action = Action.objects.select_for_update().get(pk=grant.action_id)
    if not may_pay(by, action):
        raise NotAllowed(_("Only a manager of the issue's community can reverse its grant."))
    if not reason.strip():
        raise ForumError(_("Say why the grant is reversed."))
    return reverse_transaction(original=grant.payment, by=by, reason=reason.strip())


# --- Notifications --------------------------------------------------------------------------------


def mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark a resident's own notifications read (all of them when no ids are given); returns how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


# --- The help board -------------------------------------------------------------------------------


@transaction.atomic
def ask_for_help(*, resident: Resident, title: str, text: str) -> HelpRequest:
    """A resident asks their neighbours for help; the request is public at once, without their name.

    Raises ForumError for empty, oversized or marked-up text, or contact data in it.
    """
    help_request = HelpRequest(
        community_id=resident.community_id, resident=resident, title=title.strip(), text=text.strip()
    )
    _validated(help_request)
    help_request.save()
    return help_request


@transaction.atomic
def offer_help(*, help_request: HelpRequest, volunteer: Volunteer, message: str) -> HelpOffer:
    """An active volunteer of the community offers help; the asker and the centre see it, nobody else.

    Raises NotLocal, NotAllowed, IllegalTransition, AlreadyOffered or ForumError.
    """
    help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if volunteer.community_id != help_request.community_id:
        raise NotLocal(_("Volunteers help the residents of their own community."))
    if volunteer.status != Volunteer.Status.ACTIVE:
        raise NotAllowed(_("Only an active volunteer can offer help."))
    if volunteer.resident_id == help_request.resident_id:
        raise NotAllowed(_("This is your own request."))
    if help_request.state != HelpRequest.State.OPEN:
        raise IllegalTransition(_("This request is no longer open."))
    if HelpOffer.objects.filter(help_request=help_request, volunteer=volunteer).exists():
        raise AlreadyOffered(_("You have already offered to help with this."))
    offer = HelpOffer(
        community_id=help_request.community_id, help_request=help_request, volunteer=volunteer, message=message.strip()
    )
    _validated(offer)
    offer.save()
    return offer


def _moderate(help_request: HelpRequest, state: str, note: str, by: User) -> HelpRequest:
    help_request.state = state
    help_request.moderation_note = note
    help_request.moderated_by = by
    help_request.moderated_at = timezone.now()
    _validated(help_request)
    help_request.save(update_fields=["state", "moderation_note", "moderated_by", "moderated_at"])
    return help_request


@transaction.atomic
def hide_help_request(*, help_request: HelpRequest, reason: str, by: User) -> HelpRequest:
    """Staff take a request off the board, saying why (the asker sees the reason)."""
    help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if help_request.state == HelpRequest.State.HIDDEN:
        raise IllegalTransition(_("This request is already hidden."))
    if not reason.strip():
        raise ForumError(_("Say why the request is hidden."))
    return _moderate(help_request, HelpRequest.State.HIDDEN, reason.strip(), by)


@transaction.atomic
def restore_help_request(*, help_request: HelpRequest, by: User) -> HelpRequest:
    """Staff put a hidden request back on the board."""
    help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if help_request.state != HelpRequest.State.HIDDEN:
        raise IllegalTransition(_("Only a hidden request is put back."))
    return _moderate(help_request, HelpRequest.State.OPEN, "", by)


@transaction.atomic
def mark_helped(*, help_request: HelpRequest, by: User) -> HelpRequest:
    """The asker (or staff) says the help came: the request leaves the board's open list."""
    help_request = HelpRequest.objects.select_for_update().select_related("resident").get(pk=help_request.pk)
    if help_request.resident.user_id != by.pk and not _staff_of(
        by, help_request.community_id, "forums.change_helprequest"
    ):
        raise NotAllowed(_("Only the asker or the centre can mark a request helped."))
    if help_request.state != HelpRequest.State.OPEN:
        raise IllegalTransition(_("This request is no longer open."))
    help_request.state = HelpRequest.State.DONE
    help_request.save(update_fields=["state"])
    return help_request


@transaction.atomic
def hide_help_offer(*, offer: HelpOffer, by: User) -> HelpOffer:
    """Staff hide an offer of help from the asker (unsuitable, or the volunteer withdrew)."""
    offer = HelpOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.state == HelpOffer.State.HIDDEN:
        raise IllegalTransition(_("This offer is already hidden."))
    offer.state = HelpOffer.State.HIDDEN
    offer.save(update_fields=["state"])
    return offer
