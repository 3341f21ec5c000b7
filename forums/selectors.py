"""Reads for the forums' pages, API and admin: they own the joins and counts (one query per list)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from forums.models import (
    Action,
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
from yicang.community.models import Community, Resident, User
from yicang.core.db import subquery_count

# The topic of public answers about forums in every community (see yicang.core.public_cache and forums/apps.py).
FORUMS = "forums"


def open_common_issues(community: Community) -> QuerySet[Issue]:
    """The community's common issues still in progress: while there is one, no new forum is called."""
    return Issue.objects.filter(community=community, state=Issue.State.COMMON).order_by("created_at", "pk")


def upcoming_forums(community: Community | None = None) -> QuerySet[Forum]:
    """Called forums still to come, soonest first; every community's when none is given."""
    forums = Forum.objects.filter(state=Forum.State.CALLED, held_at__gte=timezone.now()).select_related("community")
    if community is not None:
        forums = forums.filter(community=community)
    return forums.order_by("held_at", "pk")


def past_forums(community: Community | None = None) -> QuerySet[Forum]:
    forums = Forum.objects.filter(state__in=[Forum.State.HELD, Forum.State.CLOSED]).select_related("community")
    if community is not None:
        forums = forums.filter(community=community)
    return forums.annotate(
        common_count=subquery_count(Issue.objects.exclude(state=Issue.State.RAISED), "forum")
    ).order_by("-held_at", "-pk")


def _with_counts(issues: QuerySet[Issue]) -> QuerySet[Issue]:
    standing = (
        Grant.objects.filter(action__issue=OuterRef("pk"), payment__reversal__isnull=True)
        .order_by()
        .values("action__issue")
        .annotate(total=Sum("amount_fen"))
        .values("total")
    )
    return issues.select_related("community", "forum").annotate(
        supporter_count=subquery_count(Support.objects.all(), "issue"),
        granted_fen=Coalesce(Subquery(standing), 0),
    )


def public_issues(*, community: Community | None = None, state: str = "") -> QuerySet[Issue]:
    """Issues as the public sees them: what, state, supporters and grants; never who raised them."""
    issues = Issue.objects.all()
    if community is not None:
        issues = issues.filter(community=community)
    if state in Issue.State.values:
        issues = issues.filter(state=state)
    return _with_counts(issues).order_by("-state_changed_at", "-pk")


def public_issue(pk: int) -> Issue | None:
    return _with_counts(Issue.objects.filter(pk=pk)).select_related("action").first()


def supported_by(resident: Resident | None, issues: list[Issue]) -> set[int]:
    if resident is None or not issues:
        return set()
    supported = Support.objects.filter(resident=resident, issue__in=[i.pk for i in issues])
    return set(supported.values_list("issue_id", flat=True))


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime | date
    kind: str  # "change" or "progress"
    label: str
    text: str
    # When it was written down: orders a day's entries (a progress update carries only its day).
    recorded: datetime


def timeline(issue: Issue) -> list[TimelineEntry]:
    """The issue's public history, oldest first: its state changes and the action's progress updates."""
    entries = [
        TimelineEntry(at=c.at, kind="change", label=c.get_to_state_display(), text=c.note, recorded=c.at)
        for c in IssueChange.objects.filter(issue=issue).order_by("at", "pk")
    ]
    entries += [
        TimelineEntry(at=u.on, kind="progress", label=u.get_step_display(), text=u.text, recorded=u.created_at)
        for u in ProgressUpdate.objects.filter(action__issue=issue).order_by("on", "pk")
    ]

    def key(entry: TimelineEntry) -> tuple[date, datetime]:
        day = timezone.localdate(entry.at) if isinstance(entry.at, datetime) else entry.at
        return day, entry.recorded

    return sorted(entries, key=key)


def results(community: Community | None = None) -> QuerySet[Issue]:
    """Common issues that ended, with what their grants came to: the forums' public record."""
    issues = Issue.objects.filter(state__in=Issue.ENDED).select_related("action")
    if community is not None:
        issues = issues.filter(community=community)
    return _with_counts(issues).order_by("-state_changed_at", "-pk")


def standing_grants(community: Community | None = None) -> QuerySet[Grant]:
    """Grants not reversed in the ledger, newest first."""
    grants = Grant.objects.filter(payment__reversal__isnull=True).select_related("community", "action__issue")
    if community is not None:
        grants = grants.filter(community=community)
    return grants.order_by("-paid_at", "-pk")


def granted_total(community: Community | None = None) -> int:
    return int(standing_grants(community).aggregate(total=Coalesce(Sum("amount_fen"), 0))["total"])


def help_board(community: Community | None = None) -> QuerySet[HelpRequest]:
    """Open help requests, newest first, with how many volunteers offered; never who asked."""
    requests = HelpRequest.objects.filter(state=HelpRequest.State.OPEN).select_related("community")
    if community is not None:
        requests = requests.filter(community=community)
    offers = HelpOffer.objects.filter(state=HelpOffer.State.OFFERED)
    return requests.annotate(offer_count=subquery_count(offers, "help_request")).order_by("-created_at", "-pk")


def my_help_requests(resident: Resident) -> QuerySet[HelpRequest]:
    offers = HelpOffer.objects.filter(state=HelpOffer.State.OFFERED)
    return (
        HelpRequest.objects.filter(resident=resident)
        .annotate(offer_count=subquery_count(offers, "help_request"))
        .order_by("-created_at", "-pk")
    )


def offers_for_asker(help_request: HelpRequest) -> QuerySet[HelpOffer]:
    return (
        HelpOffer.objects.filter(help_request=help_request, state=HelpOffer.State.OFFERED)
        .select_related("volunteer__resident")
        .order_by("created_at", "pk")
    )


def inbox(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("change__issue").order_by("-created_at", "-pk")


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def staff_forums(community: Community) -> QuerySet[Forum]:
    """A community's forums for its staff, newest first, with issue counts."""
    return (
        Forum.objects.filter(community=community)
        .annotate(
            issue_count=subquery_count(Issue.objects.all(), "forum"),
            common_count=subquery_count(Issue.objects.exclude(state=Issue.State.RAISED), "forum"),
        )
        .order_by("-held_at", "-pk")
    )


def forum_issues(forum: Forum) -> QuerySet[Issue]:
    """The issues of a forum's page for staff: its own, and (while held) those raised online not yet taken up."""
    issues = Issue.objects.filter(Q(forum=forum) | Q(community_id=forum.community_id, forum__isnull=True))
    return _with_counts(issues).order_by("created_at", "pk")


def action_of(issue: Issue) -> Action | None:
    return Action.objects.filter(issue=issue).prefetch_related("leads").first()
