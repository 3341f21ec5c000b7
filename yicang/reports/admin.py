from typing import Any

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from yicang.community.admin import ReadOnlyAdmin
from yicang.reports.models import ReportRequest


@admin.register(ReportRequest)
class ReportRequestAdmin(ReadOnlyAdmin):
    """Reports asked for on the staff page; read-only, with the files through the staff download view."""

    list_display = ["__str__", "status", "progress_shown", "requested_by", "created_at", "files"]
    list_filter = ["status", "scope"]
    list_select_related = ["community", "requested_by"]
    fields = [
        "scope",
        "community",
        "city",
        "first_month",
        "last_month",
        "status",
        "progress_shown",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
        "error",
        "files",
    ]
    readonly_fields = fields  # type: ignore[assignment]  # the same names; django-stubs types them apart

    @admin.display(description=_("progress"))
    def progress_shown(self, report: ReportRequest) -> str:
        return f"{report.done_count} / {report.total}"

    @admin.display(description=_("files"))
    def files(self, report: ReportRequest) -> Any:
        ready = [
            (reverse("reports:report-file", args=[report.pk, f]), f.upper())
            for f in report.FORMATS
            if getattr(report, f)
        ]
        return format_html_join(" ", '<a href="{}">{}</a>', ready) if ready else format_html("{}", "—")
