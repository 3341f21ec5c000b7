"""Statistics kept ready by the worker, and the reports staff ask it for."""

from typing import ClassVar

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yicang.community.models import Community, CommunityOwned, User


class Scope(models.TextChoices):
    COMMUNITY = "community", _("community")
    CITY = "city", _("city")
    NATION = "nation", _("nation")


def city_key(province: str, city: str) -> str:
    """The key of a city's statistics: province and city, since two provinces may share a city name."""
    return f"{province}|{city}"


# The figures of a month, in the order reports list them. Stocks are counted as of the month's last
# day, flows over the month; a city's and the nation's are the sums of their communities'.
STOCKS = ["communities", "households", "donors", "volunteers", "groups", "recipients_volunteering"]
FLOWS = [
    "became_volunteers",
    "donations",
    "items_in",
    "items_delivered",
    "items_sold",
    "items_written_off",
    "deliveries",
    "families_served",
    "minutes_given",
    "money_raised",
    "money_spent",
]
FIGURES = STOCKS + FLOWS


class MonthlyStatistic(models.Model):
    """A community's, a city's or the nation's figures for one month (reports.refresh_statistics)."""

    Scope = Scope

    scope = models.CharField(_("scope"), max_length=9, choices=Scope.choices)
    key = models.CharField(
        _("key"),
        max_length=110,
        blank=True,
        help_text=_("The community's id, 'province|city', or empty for the nation."),
    )
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("community")
    )
    # Names kept on the row so the public page reads this table alone.
    name = models.CharField(_("name"), max_length=120, blank=True)
    parent = models.CharField(
        _("part of"), max_length=110, blank=True, help_text=_("The city key of a community's row; empty otherwise.")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))

    communities = models.PositiveIntegerField(_("communities"), default=0)
    households = models.PositiveIntegerField(_("households"), default=0)
    donors = models.PositiveIntegerField(_("compassion families"), default=0)
    volunteers = models.PositiveIntegerField(_("volunteers"), default=0)
    groups = models.PositiveIntegerField(_("groups"), default=0)
    recipients_volunteering = models.PositiveIntegerField(_("recipient families who volunteer"), default=0)
    became_volunteers = models.PositiveIntegerField(_("recipient families who began to volunteer"), default=0)
    donations = models.PositiveIntegerField(_("donations received"), default=0)
    items_in = models.PositiveIntegerField(_("items received"), default=0)
    items_delivered = models.PositiveIntegerField(_("items delivered to families"), default=0)
    items_sold = models.PositiveIntegerField(_("items sold at markets"), default=0)
    items_written_off = models.PositiveIntegerField(_("items written off"), default=0)
    deliveries = models.PositiveIntegerField(_("deliveries made"), default=0)
    families_served = models.PositiveIntegerField(_("families served"), default=0)
    minutes_given = models.PositiveBigIntegerField(_("time given (minutes)"), default=0)
    money_raised = models.PositiveBigIntegerField(_("money raised (fen)"), default=0)
    money_spent = models.PositiveBigIntegerField(_("money spent (fen)"), default=0)
    refreshed_at = models.DateTimeField(_("counted at"), default=timezone.now)

    class Meta:
        verbose_name = _("monthly statistic")
        verbose_name_plural = _("monthly statistics")
        ordering = ["scope", "key", "month"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "key", "month"], name="statistic_once"),
            models.CheckConstraint(condition=Q(month__day=1), name="statistic_first_of_month"),
            models.CheckConstraint(condition=Q(scope__in=Scope.values), name="statistic_known_scope"),
            models.CheckConstraint(
                condition=(Q(scope="community") & Q(community__isnull=False))
                | (~Q(scope="community") & Q(community__isnull=True)),
                name="statistic_community_iff_community_scope",
            ),
            models.CheckConstraint(condition=~Q(scope="nation") | Q(key=""), name="statistic_nation_has_no_key"),
        ]
        indexes = [models.Index(fields=["scope", "parent", "month"], name="statistic_children")]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.name or self.key} {self.month:%Y-%m}"

    @property
    def items_out(self) -> int:
        return self.items_delivered + self.items_sold

    @property
    def hours_given(self) -> float:
        return self.minutes_given / 60


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the worker")
    RENDERING = "rendering", _("rendering")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ReportRequest(CommunityOwned):
    """A report of a community or a city over a period of months that the worker renders
    (reports.render_report) as PDF, XLSX and CSV, with its progress. City reports have no community,
    so only national staff, who see every row, see them."""

    Scope = Scope
    Status = ReportStatus
    FORMATS: ClassVar[list[str]] = ["pdf", "xlsx", "csv"]

    community = models.ForeignKey(  # type: ignore[assignment]  # a city's report has none
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_requests",
        verbose_name=_("community"),
    )
    scope = models.CharField(_("scope"), max_length=9, choices=[c for c in Scope.choices if c[0] != "nation"])
    city = models.CharField(_("city"), max_length=110, blank=True, help_text=_("'province|city' of a city's report."))
    first_month = models.DateField(_("from"))
    last_month = models.DateField(_("to"))
    want_pdf = models.BooleanField(_("PDF"), default=True)
    want_xlsx = models.BooleanField(_("Excel (XLSX)"), default=True)
    want_csv = models.BooleanField(_("CSV"), default=True)
    status = models.CharField(_("status"), max_length=9, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    done_count = models.PositiveIntegerField(_("steps done"), default=0)
    total = models.PositiveIntegerField(_("steps"), default=0)
    pdf = models.FileField(_("PDF file"), upload_to="reports/", blank=True)
    xlsx = models.FileField(_("XLSX file"), upload_to="reports/", blank=True)
    csv = models.FileField(_("CSV file"), upload_to="reports/", blank=True)
    error = models.TextField(_("error"), blank=True)
    # The asker's language, which the worker renders headings in.
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by"))
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = pgettext_lazy("statistics", "reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="community") & Q(community__isnull=False) & Q(city=""))
                | (Q(scope="city") & Q(community__isnull=True) & ~Q(city="")),
                name="report_scope_names_its_place",
            ),
            models.CheckConstraint(
                condition=Q(first_month__day=1) & Q(last_month__day=1) & Q(first_month__lte=F("last_month")),
                name="report_period_of_months",
            ),
            models.CheckConstraint(
                condition=Q(want_pdf=True) | Q(want_xlsx=True) | Q(want_csv=True), name="report_some_format"
            ),
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="report_known_status"),
            models.CheckConstraint(condition=Q(done_count__lte=F("total")), name="report_done_within_total"),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(finished_at__isnull=False), name="report_done_is_finished"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.place} {self.first_month:%Y-%m}–{self.last_month:%Y-%m}"

    @property
    def place(self) -> str:
        if self.scope == Scope.CITY:
            return self.city.replace("|", " ")
        return str(self.community) if self.community_id else ""

    @property
    def formats(self) -> list[str]:
        return [f for f in self.FORMATS if getattr(self, f"want_{f}")]

    @property
    def months(self) -> int:
        return (self.last_month.year - self.first_month.year) * 12 + self.last_month.month - self.first_month.month + 1

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)
