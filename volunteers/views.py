from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from volunteers.models import Centre, Group, Membership, Volunteer
from volunteers.network import community_network, picture
from volunteers.selectors import confirmed_hours, hours_by, public_names, register_communities, volunteer_history
from yicang.community.access import require_permission
from yicang.community.models import Community
from yicang.community.scoping import get_scoped_or_404
from yicang.core.months import add_months, parse_month, this_month
from yicang.ledger.models import Account

MONTHS_SHOWN = 12
HISTORY_PAGE_SIZE = 30
REGISTER_PAGE_SIZE = 20
# The register's list of communities shows this many names each; a community's own page shows all.
NAMES_PER_COMMUNITY = 60

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class MonthRow:
    month: date
    minutes: int
    donations: int
    volunteers: int
    # The bar drawn next to the figure: a percentage of the busiest month shown.
    share: int


@dataclass(frozen=True)
class RegisterEntry:
    community: Community
    names: list[str]
    named: int
    # Active volunteers who did not agree to be named: counted, never listed.
    unnamed: int
    minutes: int
    groups: int

    @property
    def active(self) -> int:
        return self.named + self.unnamed

    @property
    def names_left_out(self) -> int:
        return self.named - len(self.names)


@staff_member_required
def network_page(request: HttpRequest, code: str) -> HttpResponse:
    community = get_scoped_or_404(Community.objects.all(), request.user, code=code)
    require_permission(request.user, "volunteers.view_membership")
    network = community_network(community)
    return render(
        request,
        "volunteers/network.html",
        {"community": community, "network": network, "picture": picture(network)},
    )


@staff_member_required
def hours_page(request: HttpRequest, code: str) -> HttpResponse:
    community = get_scoped_or_404(Community.objects.all(), request.user, code=code)
    require_permission(request.user, "volunteers.view_timedonation")
    month = parse_month(request.GET.get("month")) or this_month()
    following = add_months(month, 1)
    # The twelve months' history is the community's, or one group's or centre's when asked for.
    group = _one_of(Group.objects.filter(community=community), request.GET.get("group"))
    centre = None if group else _one_of(Centre.objects.filter(community=community), request.GET.get("centre"))
    first = add_months(month, 1 - MONTHS_SHOWN)
    months = _series(confirmed_hours(community, start=first, end=following, group=group, centre=centre), first)
    return render(
        request,
        "volunteers/hours.html",
        {
            "community": community,
            "month": month,
            "previous": add_months(month, -1),
            "next": following,
            "focus": group or centre,
            # Kept by the page's links to other months.
            "focus_query": f"&group={group.pk}" if group else f"&centre={centre.pk}" if centre else "",
            "months": months,
            "selected": months[-1],
            "groups": list(hours_by(community, "group", start=month, end=following)),
            "centres": list(hours_by(community, "centre", start=month, end=following)),
        },
    )


@staff_member_required
def volunteer_page(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = get_scoped_or_404(
        Volunteer.objects.select_related("resident__household", "community"), request.user, pk=pk
    )
    require_permission(request.user, "volunteers.view_volunteer")
    household = volunteer.resident.household
    account = None
    if household is not None and request.user.has_perm("ledger.view_account"):
        account = Account.objects.filter(household=household, kind=Account.Kind.TIME).first()
    this_month = timezone.localdate().replace(day=1)
    first = add_months(this_month, 1 - MONTHS_SHOWN)
    end = add_months(this_month, 1)
    memberships = Membership.objects.filter(resident_id=volunteer.resident_id).select_related("group")
    return render(
        request,
        "volunteers/volunteer.html",
        {
            "volunteer": volunteer,
            "community": volunteer.community,
            "memberships": list(memberships.order_by("group__kind", "group__name")),
            "centres": list(volunteer.centres.order_by("name")),
            "history": Paginator(volunteer_history(volunteer), HISTORY_PAGE_SIZE).get_page(request.GET.get("page")),
            "months": _series(confirmed_hours(volunteer.community, start=first, end=end, volunteer=volunteer), first),
            "household": household,
            "account": account,
            "may_see_balance": request.user.has_perm("ledger.view_account"),
        },
    )


def register_page(request: HttpRequest) -> HttpResponse:
    """The public volunteer register: no login, no recipient or contact data, names only with consent."""
    code = request.GET.get("c", "").strip()[:60]
    page = Paginator(register_communities(code), REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    communities: list[Community] = list(page)
    names = public_names([c.pk for c in communities], limit=None if code else NAMES_PER_COMMUNITY)
    entries = [
        RegisterEntry(
            community=c,
            names=names.get(c.pk, []),
            named=c.named_count,  # type: ignore[attr-defined]
            unnamed=c.active_count - c.named_count,  # type: ignore[attr-defined]
            minutes=c.confirmed_minutes,  # type: ignore[attr-defined]
            groups=c.group_count,  # type: ignore[attr-defined]
        )
        for c in communities
    ]
    return render(request, "volunteers/register.html", {"page": page, "entries": entries, "code": code})


def _one_of(queryset: QuerySet[M], pk: str | None) -> M | None:
    """The row of `queryset` with this id; None when no id is asked for, 404 for one not there."""
    if not pk:
        return None
    if not pk.isdigit():
        raise Http404
    found = queryset.filter(pk=int(pk)).first()
    if found is None:
        raise Http404
    return found


def _series(rows: Iterable[dict[str, Any]], first: date) -> list[MonthRow]:
    """MONTHS_SHOWN months from `first`, oldest first, with months without confirmed hours as zero."""
    by_month = {row["month"]: row for row in rows}
    busiest = max((row["minutes"] for row in by_month.values()), default=0) or 1
    series = []
    for offset in range(MONTHS_SHOWN):
        month = add_months(first, offset)
        row = by_month.get(month, {"minutes": 0, "donations": 0, "volunteers": 0})
        series.append(
            MonthRow(
                month=month,
                minutes=row["minutes"],
                donations=row["donations"],
                volunteers=row["volunteers"],
                share=round(100 * row["minutes"] / busiest),
            )
        )
    return series
