"""The forums' portal pages: phone-sized, Chinese first, for residents and the public.

Nothing here shows who raised an issue, who asked for help or anyone's contact data: issues and
requests are shown by their text, community and state; lead residents are counted, not named.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forums.forms import HelpOfferForm, HelpRequestForm, IssueForm
from forums.models import Forum, HelpRequest, Issue
from forums.selectors import (
    granted_total,
    help_board,
    inbox,
    my_help_requests,
    offers_for_asker,
    past_forums,
    public_issue,
    public_issues,
    results,
    standing_grants,
    supported_by,
    timeline,
    upcoming_forums,
)
from forums.services.board import ask_for_help, mark_helped, offer_help
from forums.services.issues import raise_issue, support_issue
from forums.services.notifications import mark_read
from volunteers.models import Volunteer
from yicang.community.access import current_user
from yicang.community.models import Community, Resident
from yicang.core.exceptions import DomainError

PAGE_SIZE = 20


def _resident_of(request: HttpRequest) -> Resident | None:
    """The signed-in user's resident, if the centre has linked their account to one."""
    if not request.user.is_authenticated:
        return None
    return Resident.objects.filter(user=request.user).select_related("community").first()


def _community(request: HttpRequest, resident: Resident | None) -> Community | None:
    """The community a page shows: ?c=<code> when given, else the resident's own, else every one."""
    code = request.GET.get("c", "").strip()[:60]
    if code:
        return get_object_or_404(Community, code=code)
    return resident.community if resident is not None else None


def _not_linked(request: HttpRequest) -> HttpResponse:
    return render(request, "forums/not_linked.html", status=403)


def index(request: HttpRequest) -> HttpResponse:
    """Upcoming forums and the latest ones held, of the resident's community (or every community)."""
    resident = _resident_of(request)
    community = _community(request, resident)
    context = {
        "resident": resident,
        "community": community,
        "upcoming": list(upcoming_forums(community)[:PAGE_SIZE]),
        "past": list(past_forums(community)[:10]),
    }
    return render(request, "forums/index.html", context)


def forum_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # A planned forum is a draft of the centre's, not yet announced.
    forum = get_object_or_404(Forum.objects.select_related("community").exclude(state=Forum.State.PLANNED), pk=pk)
    issues = list(public_issues(community=forum.community).filter(forum=forum))
    return render(request, "forums/forum_detail.html", {"forum": forum, "issues": issues})


def issue_list(request: HttpRequest) -> HttpResponse:
    resident = _resident_of(request)
    community = _community(request, resident)
    state = request.GET.get("state", "")
    page = Paginator(public_issues(community=community, state=state), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "resident": resident,
        "community": community,
        "page": page,
        "state": state if state in Issue.State.values else "",
        "states": Issue.State.choices,
        "supported": supported_by(resident, list(page.object_list)),
    }
    return render(request, "forums/issue_list.html", context)


def issue_detail(request: HttpRequest, pk: int, *, error: DomainError | None = None) -> HttpResponse:
    issue = public_issue(pk)
    if issue is None:
        raise Http404
    resident = _resident_of(request)
    action = getattr(issue, "action", None)
    context = {
        "issue": issue,
        "action": action,
        "lead_count": action.leads.count() if action is not None else 0,
        "timeline": timeline(issue),
        "grants": list(standing_grants().filter(action__issue=issue)),
        "resident": resident,
        "supported": bool(supported_by(resident, [issue])),
        "error": error,
    }
    return render(request, "forums/issue_detail.html", context, status=error.status if error else 200)


def issue_photo(request: HttpRequest, pk: int) -> FileResponse:
    """An issue's photo, served as its page is: to anyone, while the issue is public.

    Uploaded files are never served from MEDIA_ROOT directly: it also holds door photos and label sheets.
    """
    issue = public_issue(pk)
    if issue is None or not issue.photo:
        raise Http404
    response = FileResponse(issue.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@login_required
@require_POST
def support(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_of(request)
    if resident is None:
        return _not_linked(request)
    issue = get_object_or_404(Issue, pk=pk)
    try:
        support_issue(issue=issue, resident=resident)
    except DomainError as error:
        return issue_detail(request, pk, error=error)
    messages.success(request, _("You support this issue. You will hear when its state changes."))
    return redirect("forums:issue", pk=pk)


@login_required
def raise_new(request: HttpRequest) -> HttpResponse:
    """A resident raises an issue for their community's next forum."""
    resident = _resident_of(request)
    if resident is None:
        return _not_linked(request)
    form = IssueForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            issue = raise_issue(
                resident=resident, photo=form.cleaned_data["photo"], **_fields(form, "kind", "title", "text")
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
            status = error.status
        else:
            messages.success(request, _("Raised. Neighbours can support it, and the forum will discuss it."))
            return redirect("forums:issue", pk=issue.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "forums/raise.html", {"form": form, "resident": resident}, status=status)


def _fields(form: IssueForm | HelpRequestForm, *names: str) -> dict[str, str]:
    return {name: form.cleaned_data[name] for name in names}


def results_page(request: HttpRequest) -> HttpResponse:
    """What the forums achieved: ended common issues with their results, and the small grants paid."""
    resident = _resident_of(request)
    community = _community(request, resident)
    page = Paginator(results(community), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "community": community,
        "page": page,
        "grants": list(standing_grants(community)[:PAGE_SIZE]),
        "granted_total": granted_total(community),
    }
    return render(request, "forums/results.html", context)


@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    """The signed-in resident's notifications; opening the page marks them read (POST marks all)."""
    user = current_user(request)
    if request.method == "POST":
        mark_read(user=user)
        return redirect("forums:inbox")
    page = Paginator(inbox(user), PAGE_SIZE).get_page(request.GET.get("page"))
    unread = [n.pk for n in page.object_list if n.read_at is None]
    response = render(request, "forums/inbox.html", {"page": page, "unread": set(unread)})
    mark_read(user=user, notification_ids=unread)
    return response


# --- The help board -------------------------------------------------------------------------------


def board(request: HttpRequest) -> HttpResponse:
    resident = _resident_of(request)
    community = _community(request, resident)
    page = Paginator(help_board(community), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "forums/board.html", {"page": page, "community": community, "resident": resident})


def _volunteer_of(resident: Resident | None) -> Volunteer | None:
    if resident is None:
        return None
    return Volunteer.objects.filter(resident=resident, status=Volunteer.Status.ACTIVE).first()


def help_detail(request: HttpRequest, pk: int, *, form: HelpOfferForm | None = None, status: int = 200) -> HttpResponse:
    resident = _resident_of(request)
    help_request = get_object_or_404(HelpRequest.objects.select_related("community"), pk=pk)
    mine = resident is not None and help_request.resident_id == resident.pk
    # A hidden request is seen by its asker only (with the centre's reason), by nobody else.
    if help_request.state == HelpRequest.State.HIDDEN and not mine:
        raise Http404
    volunteer = _volunteer_of(resident)
    context = {
        "help_request": help_request,
        "mine": mine,
        "offers": list(offers_for_asker(help_request)) if mine else [],
        "offer_count": offers_for_asker(help_request).count(),
        "volunteer": volunteer
        if volunteer is not None and volunteer.community_id == help_request.community_id
        else None,
        "form": form or HelpOfferForm(),
    }
    return render(request, "forums/help_detail.html", context, status=status)


@login_required
def ask(request: HttpRequest) -> HttpResponse:
    resident = _resident_of(request)
    if resident is None:
        return _not_linked(request)
    form = HelpRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            help_request = ask_for_help(resident=resident, **_fields(form, "title", "text"))
        except DomainError as error:
            form.add_error(None, str(error.message))
            status = error.status
        else:
            messages.success(request, _("Your request is on the board. Volunteers who can help will offer."))
            return redirect("forums:help", pk=help_request.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "forums/ask.html", {"form": form}, status=status)


@login_required
@require_POST
def offer(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = _volunteer_of(_resident_of(request))
    help_request = get_object_or_404(HelpRequest, pk=pk, state=HelpRequest.State.OPEN)
    form = HelpOfferForm(request.POST)
    if volunteer is None:
        form.add_error(None, _("Only volunteers of the community offer help here."))
        return help_detail(request, pk, form=form, status=403)
    if not form.is_valid():
        return help_detail(request, pk, form=form, status=400)
    try:
        offer_help(help_request=help_request, volunteer=volunteer, message=form.cleaned_data["message"])
    except DomainError as error:
        form.add_error(None, str(error.message))
        return help_detail(request, pk, form=form, status=error.status)
    messages.success(request, _("Thank you. The asker and the centre see your offer; the centre puts you in touch."))
    return redirect("forums:help", pk=pk)


@login_required
@require_POST
def helped(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_of(request)
    if resident is None:
        return _not_linked(request)
    help_request = get_object_or_404(HelpRequest, pk=pk, resident=resident)
    try:
        mark_helped(help_request=help_request, by=current_user(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Glad you were helped."))
    return redirect("forums:my-help")


@login_required
def my_help(request: HttpRequest) -> HttpResponse:
    resident = _resident_of(request)
    if resident is None:
        return _not_linked(request)
    page = Paginator(my_help_requests(resident), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "forums/my_help.html", {"page": page})
