"""Counts the worker keeps (stores.refresh_monthly_counts): read, never edited by hand."""

from django.contrib import admin

from stores.models import MonthlyCategoryCount, MonthlySummary
from yicang.community.admin import ReadOnlyAdmin


@admin.register(MonthlyCategoryCount)
class MonthlyCategoryCountAdmin(ReadOnlyAdmin):
    list_display = ["month", "community", "category", "items_in", "quantity_in", "items_delivered"]
    list_display += ["quantity_delivered", "items_sold", "items_written_off"]
    list_filter = ["month", "community", "category"]
    list_select_related = ["community", "category"]


@admin.register(MonthlySummary)
class MonthlySummaryAdmin(ReadOnlyAdmin):
    list_display = ["month", "community", "donations", "families_served", "refreshed_at"]
    list_filter = ["month", "community"]
    list_select_related = ["community"]
