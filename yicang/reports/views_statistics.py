"""The public statistics page and the staff reports pages."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from yicang.community.access import require_permission
from yicang.community.models import Community, User
from yicang.community.scoping import get_scoped_or_404
from yicang.core.exceptions import DomainError
from yicang.core.months import this_month
from yicang.reports.forms import ReportForm
from yicang.reports.models import FLOWS, MonthlyStatistic, ReportRequest, Scope
from yicang.reports.rendering import RENDERERS
from yicang.reports.services import BadReportRequest, request_report
from yicang.reports.statistics import chart_data, public_dashboard

# Enough for a page that fits a phone; older reports stay in the admin.
REPORTS_SHOWN = 30


def statistics(request: HttpRequest) -> HttpResponse:
    """The programme's figures for the nation, a city (?scope=city&key=province|city) or a community
    (?community=code): the last twelve months, read from the monthly statistics alone."""
    code = request.GET.get("community", "")
    scope = Scope.COMMUNITY if code else (Scope.CITY if request.GET.get("scope") == Scope.CITY else Scope.NATION)
    board = public_dashboard(scope=scope, key=request.GET.get("key", ""), code=code, last=this_month())
    if board is None and scope != Scope.NATION:
        raise Http404(_("No figures for this place yet."))
    charts, totals = None, {}
    if board is not None:
        totals = {figure: board.total(figure) for figure in FLOWS}
        totals["items_out"] = totals["items_delivered"] + totals["items_sold"]
        charts = chart_data(board) | {
            "labels": {
                "items": _("Items"),
                "items_in": _("Items received"),
                "items_out": _("Items given out"),
                "hours_given": _("Hours given"),
                "money": _("Money (CNY)"),
                "money_raised": _("Money raised"),
                "money_spent": _("Money spent"),
                "families_served": _("Families served"),
            }
        }
    return render(
        request, "reports/statistics.html", {"board": board, "charts": charts, "totals": totals, "Scope": Scope}
    )


def _places(user: User) -> tuple[list[tuple[str, str]] | None, list[tuple[str, str]]]:
    """The communities a staff member may choose (None for national staff, who type a code) and the
    cities national staff may choose; one query either way."""
    if user.sees_all_communities:
        cities = MonthlyStatistic.objects.filter(scope=Scope.CITY).order_by("key").values_list("key", "name")
        return None, list(cities.distinct())
    communities = Community.objects.visible_to(user).order_by("province", "city", "name")
    return [(c.code, f"{c.name} · {c.city}") for c in communities], []


@staff_member_required
def staff_reports(request: HttpRequest) -> HttpResponse:
    """Ask for a report, and follow one's communities' reports until their files are ready."""
    user = require_permission(request.user, "reports.view_reportrequest")
    communities, cities = _places(user)
    form = ReportForm(request.POST or None, communities=communities, cities=cities)
    if request.method == "POST":
        require_permission(user, "reports.add_reportrequest")
        if form.is_valid():
            data = form.cleaned_data
            community = None
            if data["community"]:
                community = Community.objects.visible_to(user).filter(code=data["community"]).first()
            try:
                if data["community"] and community is None:
                    raise BadReportRequest(_("No community of yours has this code."))
                request_report(
                    by=user,
                    community=community,
                    city=data.get("city") or "",
                    first_month=data["first_month"],
                    last_month=data["last_month"],
                    formats=data["formats"],
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The report is being prepared; its files appear below when ready."))
                return redirect("reports:staff-reports")
    reports = list(ReportRequest.objects.visible_to(user).select_related("community", "requested_by")[:REPORTS_SHOWN])
    return render(
        request,
        "reports/staff_reports.html",
        {"form": form, "reports": reports, "pending": any(not r.finished for r in reports)},
    )


@staff_member_required
def report_file(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    """One file of a report, to staff who see its community; another community's report is a 404."""
    report = get_scoped_or_404(ReportRequest.objects.all(), request.user, pk=pk)
    require_permission(request.user, "reports.view_reportrequest")
    if fmt not in RENDERERS or not getattr(report, fmt):
        raise Http404(_("This file is not ready."))
    _render, content_type = RENDERERS[fmt]
    return FileResponse(
        getattr(report, fmt).open("rb"),
        content_type=content_type,
        as_attachment=True,
        filename=f"yicang-report-{report.pk}-{report.first_month:%Y%m}-{report.last_month:%Y%m}.{fmt}",
    )
