"""The centre's forum pages (phone or PC): plan and call forums, record them, follow common issues,
moderate the help board. Every change goes through forums.services; each page is scoped to the
staff member's communities (another community's forum is a 404)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forums.forms import (
    EndForm,
    GrantForm,
    HoldForumForm,
    MarkCommonForm,
    PlanForumForm,
    ProgressForm,
    ReasonForm,
    RecordIssueForm,
)
from forums.models import Action, Forum, HelpOffer, HelpRequest, Issue
from forums.selectors import forum_issues, open_common_issues, staff_forums, standing_grants, timeline
from forums.services.board import hide_help_offer, hide_help_request, restore_help_request
from forums.services.forums import call_forum, close_forum, hold_forum, plan_forum
from forums.services.grants import community_fund_of, pay_grant
from forums.services.issues import close_not_possible, mark_common, record_issue, record_progress, resolve_issue
from yicang.community.access import current_user, require_permission
from yicang.community.models import Community
from yicang.community.scoping import get_scoped_or_404
from yicang.core.exceptions import DomainError

PAGE_SIZE = 30


def _attempt(request: HttpRequest, work: Callable[[], Any], done: str) -> bool:
    """Run a service; its refusal becomes an error message on the page, never a 500."""
    try:
        work()
    except DomainError as error:
        messages.error(request, str(error.message))
        return False
    messages.success(request, done)
    return True


@staff_member_required
def community_forums(request: HttpRequest, code: str) -> HttpResponse:
    """A community's forums, the common issues still open, and a form to plan the next forum."""
    community = get_scoped_or_404(Community.objects.all(), request.user, code=code)
    require_permission(request.user, "forums.view_forum")
    form = PlanForumForm(request.POST or None)
    status = 200
    if request.method == "POST":
        require_permission(request.user, "forums.add_forum")
        if form.is_valid():
            try:
                forum = plan_forum(community=community, by=current_user(request), **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, str(error.message))
                status = error.status
            else:
                messages.success(request, _("Planned: %(forum)s.") % {"forum": forum})
                return redirect("forums:staff-forum", pk=forum.pk)
        else:
            status = 400
    page = Paginator(staff_forums(community), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"community": community, "page": page, "form": form, "open_issues": list(open_common_issues(community))}
    return render(request, "forums/staff/community.html", context, status=status)


def _forum_page(request: HttpRequest, forum: Forum, **forms: Any) -> HttpResponse:
    context = {
        "forum": forum,
        "issues": list(forum_issues(forum)),
        "hold_form": forms.get("hold_form") or HoldForumForm(instance=forum),
        "issue_form": forms.get("issue_form") or RecordIssueForm(),
        "common_form": MarkCommonForm(),
    }
    return render(request, "forums/staff/forum.html", context, status=forms.get("status", 200))


@staff_member_required
def forum_page(request: HttpRequest, pk: int) -> HttpResponse:
    forum = get_scoped_or_404(Forum.objects.select_related("community"), request.user, pk=pk)
    require_permission(request.user, "forums.view_forum")
    return _forum_page(request, forum)


@staff_member_required
@require_POST
def forum_call(request: HttpRequest, pk: int) -> HttpResponse:
    """Call the forum: the service refuses while a common issue of the previous forum is open."""
    forum = get_scoped_or_404(Forum.objects.all(), request.user, pk=pk)
    _attempt(
        request, lambda: call_forum(forum=forum, by=current_user(request)), _("Called: %(forum)s.") % {"forum": forum}
    )
    return redirect("forums:staff-forum", pk=pk)


@staff_member_required
@require_POST
def forum_hold(request: HttpRequest, pk: int) -> HttpResponse:
    forum = get_scoped_or_404(Forum.objects.select_related("community"), request.user, pk=pk)
    require_permission(request.user, "forums.change_forum")
    form = HoldForumForm(request.POST)
    if not form.is_valid():
        return _forum_page(request, forum, hold_form=form, status=400)
    try:
        hold_forum(forum=forum, by=current_user(request), **form.cleaned_data)
    except DomainError as error:
        form.add_error(None, str(error.message))
        return _forum_page(request, forum, hold_form=form, status=error.status)
    messages.success(request, _("Recorded as held."))
    return redirect("forums:staff-forum", pk=pk)


@staff_member_required
@require_POST
def forum_close(request: HttpRequest, pk: int) -> HttpResponse:
    forum = get_scoped_or_404(Forum.objects.all(), request.user, pk=pk)
    require_permission(request.user, "forums.change_forum")
    _attempt(request, lambda: close_forum(forum=forum, by=current_user(request)), _("Closed."))
    return redirect("forums:staff-forum", pk=pk)


@staff_member_required
@require_POST
def forum_record_issue(request: HttpRequest, pk: int) -> HttpResponse:
    forum = get_scoped_or_404(Forum.objects.select_related("community"), request.user, pk=pk)
    require_permission(request.user, "forums.add_issue")
    form = RecordIssueForm(request.POST, request.FILES)
    if not form.is_valid():
        return _forum_page(request, forum, issue_form=form, status=400)
    data = form.cleaned_data
    try:
        record_issue(
            forum=forum,
            by=current_user(request),
            kind=data["kind"],
            title=data["title"],
            text=data["text"],
            photo=data["photo"],
        )
    except DomainError as error:
        form.add_error(None, str(error.message))
        return _forum_page(request, forum, issue_form=form, status=error.status)
    messages.success(request, _("Issue recorded."))
    return redirect("forums:staff-forum", pk=pk)


@staff_member_required
@require_POST
def issue_mark_common(request: HttpRequest, pk: int, issue_pk: int) -> HttpResponse:
    forum = get_scoped_or_404(Forum.objects.all(), request.user, pk=pk)
    issue = get_scoped_or_404(Issue.objects.all(), request.user, pk=issue_pk)
    require_permission(request.user, "forums.change_issue")
    form = MarkCommonForm(request.POST)
    plan = form.cleaned_data["plan"] if form.is_valid() else ""
    _attempt(
        request,
        lambda: mark_common(issue=issue, forum=forum, by=current_user(request), plan=plan),
        _("Marked as a common issue: %(issue)s.") % {"issue": issue},
    )
    return redirect("forums:staff-forum", pk=pk)


def _issue_page(request: HttpRequest, issue: Issue, status: int = 200, **forms: Any) -> HttpResponse:
    action = Action.objects.filter(issue=issue).prefetch_related("leads").first()
    context = {
        "issue": issue,
        "action": action,
        "timeline": timeline(issue),
        "grants": list(standing_grants().filter(action__issue=issue)),
        "fund": community_fund_of(issue.community_id),
        "progress_form": forms.get("progress_form") or ProgressForm(),
        "grant_form": forms.get("grant_form") or GrantForm(),
        "resolve_form": forms.get("resolve_form") or EndForm(),
        "reason_form": forms.get("reason_form") or ReasonForm(),
    }
    return render(request, "forums/staff/issue.html", context, status=status)


@staff_member_required
def issue_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A common issue's action: progress, the small grant, and its end."""
    issue = get_scoped_or_404(Issue.objects.select_related("community", "forum"), request.user, pk=pk)
    require_permission(request.user, "forums.view_issue")
    if request.method != "POST":
        return _issue_page(request, issue)
    require_permission(request.user, "forums.change_issue")
    what = request.POST.get("do", "")
    forms: dict[str, Any] = {
        "progress": ("progress_form", ProgressForm),
        "grant": ("grant_form", GrantForm),
        "resolve": ("resolve_form", EndForm),
        "not_possible": ("reason_form", ReasonForm),
    }
    if what not in forms:
        return _issue_page(request, issue, status=400)
    name, form_class = forms[what]
    form = form_class(request.POST)
    if not form.is_valid():
        return _issue_page(request, issue, status=400, **{name: form})
    user = current_user(request)
    data = form.cleaned_data
    action = Action.objects.filter(issue=issue).first()
    try:
        if what == "progress" and action is not None:
            record_progress(action=action, step=data["step"], on=data["on"], text=data["text"], by=user)
        elif what == "grant" and action is not None:
            pay_grant(action=action, amount_fen=form.amount_fen, purpose=data["purpose"], by=user)
        elif what == "resolve":
            resolve_issue(issue=issue, result=data["text"], by=user)
        elif what == "not_possible":
            close_not_possible(issue=issue, reason=data["reason"], by=user)
        else:
            form.add_error(None, _("This issue is not a common issue."))
            return _issue_page(request, issue, status=409, **{name: form})
    except DomainError as error:
        form.add_error(None, str(error.message))
        return _issue_page(request, issue, status=error.status, **{name: form})
    messages.success(request, _("Saved."))
    return redirect("forums:staff-issue", pk=pk)


@staff_member_required
def moderation(request: HttpRequest, code: str) -> HttpResponse:
    """Every help request of a community (hidden ones too), with its offers, for the centre to moderate."""
    community = get_scoped_or_404(Community.objects.all(), request.user, code=code)
    require_permission(request.user, "forums.change_helprequest")
    requests = HelpRequest.objects.filter(community=community).select_related("resident").order_by("-created_at", "-pk")
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    offers = HelpOffer.objects.filter(help_request__in=[r.pk for r in page.object_list]).select_related(
        "volunteer__resident"
    )
    by_request: dict[int, list[HelpOffer]] = {}
    for help_offer in offers:
        by_request.setdefault(help_offer.help_request_id, []).append(help_offer)
    rows = [(r, by_request.get(r.pk, [])) for r in page.object_list]
    return render(request, "forums/staff/moderation.html", {"community": community, "page": page, "rows": rows})


@staff_member_required
@require_POST
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = get_scoped_or_404(HelpRequest.objects.select_related("community"), request.user, pk=pk)
    require_permission(request.user, "forums.change_helprequest")
    user = current_user(request)
    if request.POST.get("do") == "restore":
        _attempt(request, lambda: restore_help_request(help_request=help_request, by=user), _("Back on the board."))
    else:
        reason = request.POST.get("reason", "")
        _attempt(request, lambda: hide_help_request(help_request=help_request, reason=reason, by=user), _("Hidden."))
    return redirect("forums:staff-moderation", code=help_request.community.code)


@staff_member_required
@require_POST
def moderate_offer(request: HttpRequest, pk: int) -> HttpResponse:
    help_offer = get_scoped_or_404(HelpOffer.objects.select_related("community"), request.user, pk=pk)
    require_permission(request.user, "forums.change_helprequest")
    _attempt(request, lambda: hide_help_offer(offer=help_offer, by=current_user(request)), _("Offer hidden."))
    return redirect("forums:staff-moderation", code=help_offer.community.code)
