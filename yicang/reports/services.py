"""Use cases of statistics and reports."""

from datetime import date
from functools import partial

from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from yicang.community.models import Community, User
from yicang.core.exceptions import DomainError
from yicang.core.months import add_months, this_month
from yicang.reports.models import ReportRequest, Scope
from yicang.reports.tasks import render_report

MAX_MONTHS = 60


class BadReportRequest(DomainError):
    code = "bad_report_request"


@transaction.atomic
def request_report(
    *,
    by: User,
    first_month: date,
    last_month: date,
    formats: list[str],
    community: Community | None = None,
    city: str = "",
    language: str = "",
) -> ReportRequest:
    """Ask the worker for a report of a community, or of a city ('province|city'), over whole months.

    Headings are in `language` (by default the active one). The caller has checked that `by` may see
    the community; a city's report is for national staff.
    Raises BadReportRequest (nothing written or queued) for a period not in the past or present, longer
    than MAX_MONTHS, no format, or not exactly one of community and city.
    """
    first, last = first_month.replace(day=1), last_month.replace(day=1)
    if (community is None) == (not city):
        raise BadReportRequest(_("Choose a community or a city."))
    if city and not by.sees_all_communities:
        raise BadReportRequest(_("Only national staff ask for a city's report."))
    if first > last or last > this_month():
        raise BadReportRequest(_("Choose a period of past months, the first before the last."))
    if add_months(first, MAX_MONTHS) <= last:
        raise BadReportRequest(_("A report covers at most %(months)s months.") % {"months": MAX_MONTHS})
    unknown = set(formats) - set(ReportRequest.FORMATS)
    if not formats or unknown:
        raise BadReportRequest(_("Choose at least one format."))
    report = ReportRequest.objects.create(
        scope=Scope.CITY if city else Scope.COMMUNITY,
        community=community,
        city=city,
        first_month=first,
        last_month=last,
        **{f"want_{name}": name in formats for name in ReportRequest.FORMATS},
        requested_by=by,
        language=language or get_language(),
    )
    transaction.on_commit(partial(render_report.delay, report_id=report.pk))
    return report
