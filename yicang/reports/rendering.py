"""A report's figures, read from the monthly statistics, written as CSV, XLSX and PDF."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from yicang.core.months import add_months
from yicang.reports.models import MonthlyStatistic, ReportRequest, Scope

# A CID font names glyphs the PDF viewer already has: Chinese without a font file to ship or embed.
CJK_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))

Progress = Callable[[int], None]
Value = int | Decimal | None


def columns() -> list[tuple[str, str]]:
    """(figure, heading) in report order; money in yuan and time in hours, as people read them."""
    return [
        ("communities", _("Communities")),
        ("households", _("Households")),
        ("donors", _("Compassion families")),
        ("volunteers", _("Volunteers")),
        ("groups", _("Groups")),
        ("recipients_volunteering", _("Recipient families who volunteer")),
        ("became_volunteers", _("Began to volunteer")),
        ("donations", _("Donations")),
        ("items_in", _("Items received")),
        ("items_delivered", _("Items delivered")),
        ("items_sold", _("Items sold")),
        ("items_written_off", _("Items written off")),
        ("deliveries", _("Deliveries")),
        ("families_served", _("Families served")),
        ("minutes_given", _("Hours given")),
        ("money_raised", _("Money raised (CNY)")),
        ("money_spent", _("Money spent (CNY)")),
    ]


def shown(row: MonthlyStatistic | None, figure: str) -> Value:
    if row is None:
        return None
    value: int = getattr(row, figure)
    if figure == "minutes_given":
        return (Decimal(value) / 60).quantize(Decimal("0.1"))
    if figure.startswith("money_"):
        return (Decimal(value) / 100).quantize(Decimal("0.01"))
    return value


@dataclass
class Section:
    name: str
    rows: list[tuple[date, MonthlyStatistic | None]]  # one per month of the period; None where not counted


@dataclass
class ReportData:
    title: str
    period: str
    sections: list[Section]  # the place itself first, then a city's communities

    @property
    def row_count(self) -> int:
        return sum(len(section.rows) for section in self.sections)


def report_data(report: ReportRequest) -> ReportData:
    """The place's months, and a city's communities' months, of the report's period; one query."""
    months = [add_months(report.first_month, n) for n in range(report.months)]
    found = MonthlyStatistic.objects.filter(month__gte=report.first_month, month__lte=report.last_month)
    if report.scope == Scope.CITY:
        city = Q(scope=Scope.CITY, key=report.city) | Q(scope=Scope.COMMUNITY, parent=report.city)
        found = found.filter(city).order_by("scope", "name", "key", "month")
    else:
        found = found.filter(scope=Scope.COMMUNITY, community=report.community).order_by("month")
    by_place: dict[tuple[str, str], dict[date, MonthlyStatistic]] = {}
    names: dict[tuple[str, str], str] = {}
    for row in found:
        by_place.setdefault((row.scope, row.key), {})[row.month] = row
        names[(row.scope, row.key)] = row.name
    place = report.place
    own = (Scope.CITY, report.city) if report.scope == Scope.CITY else (Scope.COMMUNITY, str(report.community_id))
    sections = [Section(place, [(m, by_place.get(own, {}).get(m)) for m in months])]
    sections += [
        Section(names[key], [(m, rows.get(m)) for m in months]) for key, rows in by_place.items() if key != own
    ]
    return ReportData(
        title=_("Yicang statistics: %(place)s") % {"place": place},
        period=f"{report.first_month:%Y-%m} – {report.last_month:%Y-%m}",
        sections=sections,
    )


def _table(data: ReportData, progress: Progress) -> list[list[object]]:
    """Heading and one line per place and month; calls `progress` with the lines written so far."""
    cols = columns()
    lines: list[list[object]] = [[_("Place"), _("Month"), *[heading for _figure, heading in cols]]]
    for section in data.sections:
        for month, row in section.rows:
            lines.append([section.name, f"{month:%Y-%m}", *[shown(row, figure) for figure, _heading in cols]])
            progress(len(lines) - 1)
    return lines


def render_csv(data: ReportData, progress: Progress) -> bytes:
    """UTF-8 with a byte-order mark, which Excel needs to read Chinese; an empty cell is a month not counted."""
    out = io.StringIO()
    writer = csv.writer(out)
    for line in _table(data, progress):
        writer.writerow(["" if cell is None else cell for cell in line])
    return out.getvalue().encode("utf-8-sig")


def render_xlsx(data: ReportData, progress: Progress) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = _("Statistics")[:31]
    sheet.append([data.title])
    sheet.append([data.period])
    for line in _table(data, progress):
        sheet.append(line)
    sheet.freeze_panes = "C4"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def render_pdf(data: ReportData, progress: Progress) -> bytes:
    """A landscape A4 table per place: the figures down the side, the months across, in Chinese."""
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=landscape(A4), leftMargin=10 * mm, rightMargin=10 * mm, topMargin=10 * mm, bottomMargin=10 * mm
    )
    title = ParagraphStyle("title", fontName=CJK_FONT, fontSize=14, leading=18)
    body = ParagraphStyle("body", fontName=CJK_FONT, fontSize=9, leading=12)
    story: list[object] = [Paragraph(data.title, title), Paragraph(data.period, body), Spacer(1, 4 * mm)]
    cols = columns()
    done = 0
    for section in data.sections:
        # Twelve months to a table, so that a long period still fits the page's width.
        for start in range(0, len(section.rows), 12):
            part = section.rows[start : start + 12]
            lines: list[list[object]] = [[section.name, *[f"{month:%Y-%m}" for month, _row in part]]]
            for figure, heading in cols:
                lines.append([heading, *["—" if (v := shown(row, figure)) is None else v for _m, row in part]])
            table = Table(lines, repeatRows=1, hAlign="LEFT")
            table.setStyle(
                TableStyle(
                    [
                        ("FONT", (0, 0), (-1, -1), CJK_FONT, 7),
                        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                    ]
                )
            )
            story += [table, Spacer(1, 4 * mm)]
            done += len(part)
            progress(done)
    document.build(story)
    return out.getvalue()


RENDERERS: dict[str, tuple[Callable[[ReportData, Progress], bytes], str]] = {
    "pdf": (render_pdf, "application/pdf"),
    "xlsx": (render_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": (render_csv, "text/csv; charset=utf-8"),
}
