"""The community fund's projects that bring idle assets back into use (a disused bike shed made a
reading room), and what each spends from the fund."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from markets.models.base import MoneyEntry
from yicang.community.models import CommunityOwned, check_same_community
from yicang.core.text import PUBLIC_TEXT


class RevivalProject(CommunityOwned):
    class Status(models.TextChoices):
        ACTIVE = "active", _("under way")
        DONE = "done", _("finished")

    title = models.CharField(_("title"), max_length=120, validators=PUBLIC_TEXT)
    asset = models.CharField(
        _("idle asset"), max_length=200, help_text=_("e.g. 闲置的自行车棚"), validators=PUBLIC_TEXT
    )
    place = models.CharField(_("place"), max_length=120, validators=PUBLIC_TEXT)
    budget_fen = models.PositiveBigIntegerField(_("budget (fen)"), default=0)
    status = models.CharField(_("status"), max_length=6, choices=Status.choices, default=Status.ACTIVE)
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("idle-asset project")
        verbose_name_plural = _("idle-asset projects")
        ordering = ["community_id", "-started_on", "pk"]

    def __str__(self) -> str:
        return self.title


class ProjectSpending(MoneyEntry):
    """Money a project spent from the community fund: `community fund +amount, cash -amount`."""

    project = models.ForeignKey(
        RevivalProject, on_delete=models.PROTECT, related_name="spendings", verbose_name=_("project")
    )
    what = models.CharField(_("what for"), max_length=200, validators=PUBLIC_TEXT)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    spent_at = models.DateTimeField(_("spent at"), default=timezone.now)

    class Meta(MoneyEntry.Meta):
        verbose_name = _("project spending")
        verbose_name_plural = _("project spendings")
        ordering = ["-spent_at", "-pk"]
        constraints = [
            *MoneyEntry.Meta.constraints,
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="projectspending_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.what} ¥{self.amount_fen / 100:,.2f}"

    def clean(self) -> None:
        super().clean()
        if self.project_id is not None:
            check_same_community(self.community_id, self.project, "project")
