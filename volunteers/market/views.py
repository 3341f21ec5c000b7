"""The market's portal pages: phone-sized, Chinese first. Every change goes through services.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from volunteers.market.forms import VerificationForm
from volunteers.market.models import Offer, Request, VerificationRequest
from volunteers.market.selectors import (
    groups_to_join,
    latest_verification,
    offers_with_places,
    open_offers,
    requests_of,
    time_balance_of,
)
from volunteers.market.services import cancel_request, request_service, submit_verification
from volunteers.models import Group
from volunteers.services import join_group
from yicang.community.access import current_user
from yicang.community.models import Resident
from yicang.core.exceptions import DomainError

PAGE_SIZE = 20


def _resident_of(request: HttpRequest) -> Resident | None:
    """The signed-in user's resident, if the centre has linked their account to one."""
    if not request.user.is_authenticated:
        return None
    return Resident.objects.filter(user=request.user).select_related("community", "household").first()


def _not_linked(request: HttpRequest) -> HttpResponse:
    return render(request, "service_market/not_linked.html")


def offer_list(request: HttpRequest) -> HttpResponse:
    """The open offers of the resident's community; a visitor sees every community's (no personal data)."""
    resident = _resident_of(request)
    community = resident.community if resident is not None else None
    page = Paginator(open_offers(community=community), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "service_market/offer_list.html",
        {"page": page, "resident": resident, "community": community, "all_communities": community is None},
    )


def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk, _resident_of(request))


def _detail(
    request: HttpRequest, pk: int, resident: Resident | None, *, error: DomainError | None = None
) -> HttpResponse:
    offer = get_object_or_404(offers_with_places(), pk=pk)
    mine = None
    if resident is not None:
        mine = Request.objects.filter(offer=offer, resident=resident, status__in=Request.ACTIVE).first()
    context = {
        "offer": offer,
        "resident": resident,
        "mine": mine,
        "places_left": max(offer.capacity - offer.taken, 0),  # type: ignore[attr-defined]
        "local": resident is not None and resident.community_id == offer.community_id,
        "takes_requests": offer.status == Offer.Status.OPEN and offer.starts_at > timezone.now(),
        "error": error,
        "note": request.POST.get("note", "") if error is not None else "",
    }
    return render(
        request, "service_market/offer_detail.html", context, status=error.status if error is not None else 200
    )


@login_required
@require_POST
def request_offer(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_of(request)
    if resident is None:
        return _not_linked(request)
    offer = get_object_or_404(Offer, pk=pk)
    try:
        request_service(offer=offer, resident=resident, note=request.POST.get("note", ""))
    except DomainError as error:
        # The page again, with the reason and the service's status code (403 not verified, 409 full).
        return _detail(request, pk, resident, error=error)
    messages.success(request, _("Requested: %(title)s. The centre will confirm it.") % {"title": offer.title})
    return redirect("service_market:my")


@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    """The resident's own requests and their household's time credit; no id in the address, nobody else's."""
    resident = _resident_of(request)
    if resident is None:
        return _not_linked(request)
    page = Paginator(requests_of(resident), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "resident": resident,
        "page": page,
        "balance": time_balance_of(resident.household),
        "verification": latest_verification(resident),
    }
    return render(request, "service_market/my_requests.html", context)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_of(request)
    if resident is None:
        return _not_linked(request)
    # Among the resident's own requests only: another's is simply not found.
    service_request = get_object_or_404(Request.objects.select_related("offer"), pk=pk, resident=resident)
    try:
        cancel_request(service_request=service_request, by=current_user(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Cancelled: %(title)s.") % {"title": service_request.offer.title})
    return redirect("service_market:my")


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Send one's ID number (and a photo, if the centre asks) for the centre to verify residency."""
    resident = _resident_of(request)
    if resident is None:
        return _not_linked(request)
    form = VerificationForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            submit_verification(
                resident=resident, number=form.cleaned_data["id_number"], photo=form.cleaned_data["photo"]
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
            status = error.status
        else:
            messages.success(request, _("Sent. The centre will check it and let you know."))
            return redirect("service_market:verify")
    elif request.method == "POST":
        status = 400
    latest = latest_verification(resident)
    context = {
        "resident": resident,
        "form": form,
        "pending": latest if latest is not None and latest.status == VerificationRequest.Status.PENDING else None,
        "rejected": latest if latest is not None and latest.status == VerificationRequest.Status.REJECTED else None,
    }
    return render(request, "service_market/verify.html", context, status=status)


@login_required
def groups(request: HttpRequest) -> HttpResponse:
    """The interest groups of the resident's community that anyone may join from here."""
    resident = _resident_of(request)
    if resident is None:
        return _not_linked(request)
    return render(request, "service_market/groups.html", {"resident": resident, "groups": groups_to_join(resident)})


@login_required
@require_POST
def join(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _resident_of(request)
    if resident is None:
        return _not_linked(request)
    # Only the groups the page offers: another community's, or a closed one, is not found.
    group = get_object_or_404(
        Group, pk=pk, community_id=resident.community_id, kind=Group.Kind.INTEREST, open_to_join=True
    )
    join_group(group=group, resident=resident)
    messages.success(request, _("You are a member of %(group)s.") % {"group": group.name})
    return redirect("service_market:groups")
