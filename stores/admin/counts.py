from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from stores.models import MonthlyCategoryCount, MonthlySummary
from yicang.community.admin import CommunityScopedAdmin


class CountAdmin(CommunityScopedAdmin):
    """Counts the worker keeps (stores.refresh_monthly_counts): read, never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MonthlyCategoryCount)
class MonthlyCategoryCountAdmin(CountAdmin):
    list_display = ["month", "community", "category", "items_in", "quantity_in", "items_delivered"]
    list_display += ["quantity_delivered", "items_sold", "items_written_off"]
    list_filter = ["month", "community", "category"]
    list_select_related = ["community", "category"]


@admin.register(MonthlySummary)
class MonthlySummaryAdmin(CountAdmin):
    list_display = ["month", "community", "donations", "families_served", "refreshed_at"]
    list_filter = ["month", "community"]
    list_select_related = ["community"]
