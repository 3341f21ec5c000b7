"""Inventory checks and store alerts in the admin: read-only, every change through services.inventory.

Checks are started and scanned on the staff pages (stores:checks); here they are found (also by a
scanned code), read with their scans and findings, and closed, approved or cancelled by actions.
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from stores.codes import normalise
from stores.models import CheckFinding, CheckScan, InventoryCheck, StoreAlert
from stores.services.inventory import approve_all, cancel_check, close_check, decide_finding, mark_alerts_seen
from yicang.community.access import current_user
from yicang.community.admin import ActionsOnlyAdmin, ReadOnlyInline, for_each_row
from yicang.core.db import subquery_count
from yicang.core.exceptions import DomainError

CHECK_FIELDS: tuple[str, ...] = ("community", "warehouse", "status", "scheduled", "started_at", "started_by")
CHECK_FIELDS += ("closed_at", "closed_by", "page_link")
FINDING_FIELDS: tuple[str, ...] = ("inventory_check", "kind", "code", "item", "proposal", "decision")
FINDING_FIELDS += ("decided_by", "decided_at", "event")
ALERT_FIELDS = ("community", "warehouse", "kind", "item", "inventory_check", "to", "raised_at", "seen_at")


class ScanInline(ReadOnlyInline):
    model = CheckScan
    fields = ["at", "code", "item", "by"]
    readonly_fields = ["at", "code", "item", "by"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("stores.view_inventorycheck")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("item__category", "by")


class FindingInline(ReadOnlyInline):
    model = CheckFinding
    fields = ["kind", "code", "item", "proposal", "decision", "decided_by", "decided_at", "event"]
    readonly_fields = ["kind", "code", "item", "proposal", "decision", "decided_by", "decided_at", "event"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("stores.view_inventorycheck")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("item__category", "decided_by", "event")


def _search_by_code(queryset: QuerySet[Any], search_term: str, *lookups: str) -> QuerySet[Any] | None:
    """The rows naming the scanned or typed code through any of `lookups`; None when it is not a code."""
    code = normalise(search_term)
    if code is None:
        return None
    matches = Q()
    for lookup in lookups:
        matches |= Q(pk__in=queryset.model._default_manager.filter(**{lookup: code}).values("pk"))
    return queryset.filter(matches)


@admin.register(InventoryCheck)
class InventoryCheckAdmin(ActionsOnlyAdmin):
    list_display = ["__str__", "warehouse", "status", "scheduled", "started_at", "started_by", "closed_at"]
    list_display += ["scan_count", "pending_count", "page_link"]
    list_filter = ["community", "status", "scheduled", "warehouse"]
    list_select_related = ["warehouse", "started_by", "closed_by"]
    search_fields = ["warehouse__name"]
    fields = readonly_fields = CHECK_FIELDS
    inlines = [FindingInline, ScanInline]
    actions = ["close_selected", "approve_all_selected", "cancel_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = (
            super()
            .get_queryset(request)
            .annotate(
                scan_count=subquery_count(CheckScan.objects.all(), "inventory_check"),
                pending_count=subquery_count(
                    CheckFinding.objects.filter(decision=CheckFinding.Decision.PENDING), "inventory_check"
                ),
            )
        )
        return queryset

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Any], search_term: str) -> Any:
        # A scanned or typed code finds the checks that scanned it or reported it.
        found = _search_by_code(queryset, search_term, "scans__code", "findings__code")
        if found is not None:
            return found, False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("codes scanned"), ordering="scan_count")
    def scan_count(self, check: InventoryCheck) -> int:
        return int(getattr(check, "scan_count", 0))

    @admin.display(description=_("to decide"), ordering="pending_count")
    def pending_count(self, check: InventoryCheck) -> int:
        return int(getattr(check, "pending_count", 0))

    @admin.display(description=_("page"))
    def page_link(self, check: InventoryCheck) -> str:
        return format_html('<a href="{}">{}</a>', reverse("stores:check", args=[check.pk]), _("open the check page"))

    @admin.action(description=_("Close the selected checks and compare"), permissions=["change"])
    def close_selected(self, request: HttpRequest, queryset: QuerySet[InventoryCheck]) -> None:
        def closed(check: InventoryCheck, findings: list[CheckFinding]) -> str:
            text = ngettext(
                "%(check)s: closed, %(count)d difference.", "%(check)s: closed, %(count)d differences.", len(findings)
            )
            return text % {"check": check, "count": len(findings)}

        def close(check: InventoryCheck) -> list[CheckFinding]:
            return close_check(inventory_check=check, by=current_user(request))

        for_each_row(self, request, queryset, close, closed)

    @admin.action(description=_("Approve every pending adjustment of the selected checks"), permissions=["change"])
    def approve_all_selected(self, request: HttpRequest, queryset: QuerySet[InventoryCheck]) -> None:
        for check in queryset:
            try:
                approval = approve_all(inventory_check=check, by=current_user(request))
            except DomainError as error:
                self.message_user(request, f"{check}: {error.message}", messages.ERROR)
                continue
            count = len(approval.approved)
            text = ngettext(
                "%(check)s: %(count)d adjustment approved.", "%(check)s: %(count)d adjustments approved.", count
            )
            self.message_user(request, text % {"check": check, "count": count})
            for finding, reason in approval.refused:
                self.message_user(request, f"{check}, {finding}: {reason}", messages.ERROR)

    @admin.action(description=_("Cancel the selected checks"), permissions=["change"])
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[InventoryCheck]) -> None:
        for_each_row(
            self,
            request,
            queryset,
            lambda c: cancel_check(inventory_check=c, by=current_user(request)),
            _("cancelled."),
        )


@admin.register(CheckFinding)
class CheckFindingAdmin(ActionsOnlyAdmin):
    list_display = ["code_shown", "kind", "item", "proposal", "decision", "inventory_check", "decided_by", "event"]
    list_filter = ["kind", "proposal", "decision"]
    list_select_related = ["item__category", "inventory_check__warehouse", "decided_by", "event"]
    search_fields = ["code"]
    fields = readonly_fields = FINDING_FIELDS
    actions = ["approve_selected", "decline_selected"]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Any], search_term: str) -> Any:
        found = _search_by_code(queryset, search_term, "code")
        if found is not None:
            return found, False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("code"), ordering="code")
    def code_shown(self, finding: CheckFinding) -> str:
        return finding.item.code_display if finding.item is not None else finding.code

    @admin.action(description=_("Approve the selected adjustments"), permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[CheckFinding]) -> None:
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Decline the selected adjustments"), permissions=["change"])
    def decline_selected(self, request: HttpRequest, queryset: QuerySet[CheckFinding]) -> None:
        self._decide(request, queryset, approve=False)

    def _decide(self, request: HttpRequest, queryset: QuerySet[CheckFinding], *, approve: bool) -> None:
        for_each_row(
            self,
            request,
            queryset.order_by("pk"),
            lambda f: decide_finding(finding=f, approve=approve, by=current_user(request)),
            _("decided."),
        )


@admin.register(StoreAlert)
class StoreAlertAdmin(ActionsOnlyAdmin):
    list_display = ["kind", "item", "expires_on", "warehouse", "to", "raised_at", "seen_at"]
    list_filter = ["community", "kind", "warehouse", ("seen_at", admin.EmptyFieldListFilter)]
    list_select_related = ["item__category", "warehouse", "to"]
    search_fields = ["item__code", "warehouse__name"]
    fields = readonly_fields = ALERT_FIELDS
    actions = ["mark_seen"]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Any], search_term: str) -> Any:
        found = _search_by_code(queryset, search_term, "item__code")
        if found is not None:
            return found, False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("expires on"), ordering="item__expires_on")
    def expires_on(self, alert: StoreAlert) -> Any:
        return alert.item.expires_on if alert.item is not None else None

    @admin.action(description=_("Mark the selected alerts as seen"), permissions=["change"])
    def mark_seen(self, request: HttpRequest, queryset: QuerySet[StoreAlert]) -> None:
        count = mark_alerts_seen(alerts=queryset, by=current_user(request))
        text = ngettext("%(count)d alert marked seen.", "%(count)d alerts marked seen.", count)
        self.message_user(request, text % {"count": count})
