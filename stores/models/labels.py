from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stores.models.items import Item
from yicang.community.models import CommunityOwned, User


class LabelLayout(models.TextChoices):
    A4_3X8 = "a4_3x8", _("A4, 3 × 8 labels of 70 × 37 mm")
    A4_4X10 = "a4_4x10", _("A4, 4 × 10 labels of 48.5 × 25.4 mm")
    THERMAL_50X30 = "thermal_50x30", _("thermal roll, one 50 × 30 mm label a page")


class LabelStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the worker")
    RENDERING = "rendering", _("rendering")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class LabelSheet(CommunityOwned):
    """A PDF of item labels that the worker renders (stores.tasks.render_label_sheet), with its progress."""

    Layout = LabelLayout
    Status = LabelStatus

    layout = models.CharField(_("layout"), max_length=16, choices=LabelLayout.choices)
    items = models.ManyToManyField(Item, related_name="label_sheets", verbose_name=_("items"))
    status = models.CharField(_("status"), max_length=9, choices=LabelStatus.choices, default=LabelStatus.PENDING)
    done_count = models.PositiveIntegerField(_("labels rendered"), default=0)
    total = models.PositiveIntegerField(_("labels"))
    pdf = models.FileField(_("PDF"), upload_to="labels/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by"))
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("label sheet")
        verbose_name_plural = _("label sheets")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(layout__in=LabelLayout.values), name="labelsheet_known_layout"),
            models.CheckConstraint(condition=Q(status__in=LabelStatus.values), name="labelsheet_known_status"),
            models.CheckConstraint(condition=Q(done_count__lte=models.F("total")), name="labelsheet_done_within_total"),
            models.CheckConstraint(
                condition=~Q(status="done") | (Q(finished_at__isnull=False) & ~Q(pdf="")),
                name="labelsheet_done_has_pdf",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_layout_display()} ({self.done_count}/{self.total})"

    @property
    def progress(self) -> float:
        """Share of labels rendered, 0 to 1."""
        return self.done_count / self.total if self.total else 0.0
