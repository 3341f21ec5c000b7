"""Monthly counts per community, kept ready by the worker for the publicising page and statistics."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stores.models.items import Category
from yicang.community.models import CommunityOwned


class MonthlyCategoryCount(CommunityOwned):
    """Items in and out of a community's stores in one month, for one category."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=pgettext_lazy("kind of item", "category")
    )
    items_in = models.PositiveIntegerField(_("items received"), default=0)
    quantity_in = models.DecimalField(_("quantity received"), max_digits=14, decimal_places=2, default=0)
    items_delivered = models.PositiveIntegerField(_("items delivered to families"), default=0)
    quantity_delivered = models.DecimalField(_("quantity delivered"), max_digits=14, decimal_places=2, default=0)
    items_sold = models.PositiveIntegerField(_("items sold at markets"), default=0)
    items_written_off = models.PositiveIntegerField(_("items written off"), default=0)

    class Meta:
        verbose_name = _("monthly count by category")
        verbose_name_plural = _("monthly counts by category")
        ordering = ["-month", "community_id", "category_id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "month", "category"], name="monthlycount_once"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="monthlycount_first_of_month"),
        ]


class MonthlySummary(CommunityOwned):
    """A community's month in the store as a whole: families served cannot be summed over categories."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    donations = models.PositiveIntegerField(_("donations received"), default=0)
    families_served = models.PositiveIntegerField(_("families served"), default=0)
    refreshed_at = models.DateTimeField(_("counted at"))

    class Meta:
        verbose_name = _("monthly store summary")
        verbose_name_plural = _("monthly store summaries")
        ordering = ["-month", "community_id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "month"], name="monthlysummary_once"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="monthlysummary_first_of_month"),
        ]
