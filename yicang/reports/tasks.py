from celery import shared_task
from django.core.files.base import ContentFile
from django.db.models import F, QuerySet
from django.utils import timezone, translation

from yicang.core.months import months_to_recount
from yicang.reports.models import ReportRequest
from yicang.reports.rendering import RENDERERS, report_data
from yicang.reports.statistics import refresh_statistics

# A row update per progress report: often enough for the page, not once per line.
PROGRESS_EVERY = 50


@shared_task(name="reports.refresh_statistics")
def refresh_statistics_task(month: str = "") -> list[str]:
    """Count a month (YYYY-MM) for every community, city and the nation; by default this month, and last
    month too in the first days of a month, while late corrections of last month are still recorded.

    Returns the months counted. Safe to run again at any time.
    """
    months = months_to_recount(month)
    for first in months:
        refresh_statistics(first)
    return [f"{first:%Y-%m}" for first in months]


@shared_task(name="reports.render_report")
def render_report(report_id: int) -> None:
    """Render a report's files from the monthly statistics, writing progress to the row.

    A done report is left as it is; run again after a failure or a lost worker, it renders every file
    again and replaces the earlier ones. On an error the report is marked failed with the message, and
    the error is raised again.
    """
    report = ReportRequest.objects.select_related("community").get(pk=report_id)
    if report.status == ReportRequest.Status.DONE:
        return
    rows = ReportRequest.objects.filter(pk=report.pk)
    rows.update(status=ReportRequest.Status.RENDERING, done_count=0, error="", started_at=timezone.now())
    try:
        with translation.override(report.language):
            files = _render_files(report, rows)
    except Exception as error:
        rows.update(status=ReportRequest.Status.FAILED, error=str(error) or repr(error))
        raise
    rows.update(status=ReportRequest.Status.DONE, done_count=F("total"), finished_at=timezone.now(), **files)


def _render_files(report: ReportRequest, rows: QuerySet[ReportRequest]) -> dict[str, str]:
    """Each format's file, saved; the progress is lines written over lines of all formats."""
    files: dict[str, str] = {}
    data = report_data(report)
    rows.update(total=data.row_count * len(report.formats))
    done = 0
    for name in report.formats:
        render, _content_type = RENDERERS[name]

        def progress(lines: int, before: int = done) -> None:
            if lines % PROGRESS_EVERY == 0:
                rows.update(done_count=before + lines)

        content = render(data, progress)
        done += data.row_count
        rows.update(done_count=done)
        field = getattr(report, name)
        if field:
            field.delete(save=False)
        field.save(f"report-{report.pk}.{name}", ContentFile(content), save=False)
        files[name] = field.name
    return files
