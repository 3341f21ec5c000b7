from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from stores.codes import normalise
from stores.labels import request_label_sheet
from stores.models import Category, Donation, EventKind, Item, ItemEvent, LabelLayout, LabelSheet, Warehouse
from stores.services.items import record_event
from yicang.community.access import current_user
from yicang.community.admin import CommunityScopedAdmin, ReadOnlyAdmin, ReadOnlyInline, ReasonPrompt, reason_or_prompt
from yicang.core.exceptions import DomainError


@admin.register(Warehouse)
class WarehouseAdmin(CommunityScopedAdmin):
    list_display = ["name", "kind", "community", "manager", "public_place"]
    list_filter = ["community", "kind"]
    list_select_related = ["community", "manager"]
    search_fields = ["name"]
    autocomplete_fields = ["community", "manager"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["name", "unit", "perishable"]
    search_fields = ["name"]


class EventInline(ReadOnlyInline):
    model = ItemEvent
    fields = ["at", "kind", "from_status", "to_status", "warehouse", "by", "reason"]
    readonly_fields = ["at", "kind", "from_status", "to_status", "warehouse", "by", "reason"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("stores.view_item")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("warehouse", "by")


class ExpiryFilter(admin.SimpleListFilter):
    title = _("expiry")
    parameter_name = "expiry"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("expired", _("expired")), ("week", _("expires within a week")), ("none", _("no expiry date"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        from datetime import timedelta

        from django.utils import timezone

        today = timezone.localdate()
        if self.value() == "expired":
            return queryset.filter(expires_on__lt=today)
        if self.value() == "week":
            return queryset.filter(expires_on__gte=today, expires_on__lte=today + timedelta(days=7))
        if self.value() == "none":
            return queryset.filter(expires_on__isnull=True)
        return queryset


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    """Read-only: every change of an item is an event written by a service (intake, scanning pages)."""

    list_display = ["code_display", "category", "quantity", "unit", "status", "warehouse", "expires_on"]
    list_filter = ["community", "status", "category", ExpiryFilter, "warehouse"]
    list_select_related = ["category", "warehouse"]
    search_fields = ["code", "description"]
    fields = ["code_display", "community", "donation", "category", "description", "quantity", "unit"]
    fields += ["expires_on", "warehouse", "status", "public"]
    readonly_fields = [
        "code_display", "community", "donation", "category", "description", "quantity", "unit",
        "expires_on", "warehouse", "status", "public",
    ]  # fmt: skip
    inlines = [EventInline]
    actions = ["write_off_selected", "correct_selected"]

    @admin.display(description=_("code"), ordering="code")
    def code_display(self, item: Item) -> str:
        return item.code_display

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if request.user.has_perm("stores.add_labelsheet"):
            for layout in LabelLayout:
                name = f"labels_{layout.value}"
                description = _("Print labels: %(layout)s") % {"layout": layout.label}
                actions[name] = (_print_labels(layout.value), name, description)
        return actions

    def has_record_event_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("stores.add_itemevent")

    @admin.action(permissions=["record_event"], description=_("Write off the selected items"))
    def write_off_selected(self, request: HttpRequest, queryset: QuerySet[Item]) -> HttpResponse | None:
        return self._step(request, queryset, EventKind.WRITTEN_OFF, "write_off_selected", WRITE_OFF_PROMPT)

    @admin.action(permissions=["record_event"], description=_("Correct: put the selected items back in stock"))
    def correct_selected(self, request: HttpRequest, queryset: QuerySet[Item]) -> HttpResponse | None:
        return self._step(request, queryset, EventKind.CORRECTED, "correct_selected", CORRECTION_PROMPT)

    def _step(
        self, request: HttpRequest, queryset: QuerySet[Item], kind: str, action: str, prompt: ReasonPrompt
    ) -> HttpResponse | None:
        reason = reason_or_prompt(self, request, queryset, action, prompt)
        if isinstance(reason, HttpResponse):
            return reason
        done = 0
        for item in queryset.order_by("pk"):
            try:
                record_event(item=item, kind=kind, by=current_user(request), reason=reason)
            except DomainError as error:
                self.message_user(request, str(error.message), messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)s item: %(step)s.", "%(count)s items: %(step)s.", done)
                % {"count": done, "step": EventKind(kind).label},
            )
        return None

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Any], search_term: str) -> Any:
        # A scanned or typed code, with hyphens, spaces or look-alikes, finds its item exactly.
        code = normalise(search_term)
        if code is not None:
            return queryset.filter(code=code), False
        return super().get_search_results(request, queryset, search_term)


WRITE_OFF_PROMPT = ReasonPrompt(
    title=_("Write off items"),
    intro=_('Each item below leaves the stock with a "written off" event and this reason. Nothing is deleted.'),
    label=_("Why are they written off? (expired, damaged…)"),
    missing=_("Say why the items are written off."),
    submit=_("Write them off"),
)
CORRECTION_PROMPT = ReasonPrompt(
    title=_("Correct items"),
    intro=_('Items wrongly written off, sold or delivered go back in stock with a "corrected" event and this reason.'),
    label=_("What was the mistake?"),
    missing=_("Say what the mistake was."),
    submit=_("Put them back in stock"),
)


@admin.register(Donation)
class DonationAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "warehouse", "received_at", "received_by"]
    list_filter = ["community", "warehouse"]
    list_select_related = ["warehouse", "received_by", "family__household", "enterprise"]
    search_fields = ["note", "family__household__name", "enterprise__name"]
    fields = ["community", "warehouse", "family", "enterprise", "received_at", "received_by", "note"]
    readonly_fields = ["community", "warehouse", "family", "enterprise", "received_at", "received_by", "note"]


def _print_labels(layout: str) -> Any:
    def action(model_admin: ItemAdmin, request: HttpRequest, queryset: QuerySet[Item]) -> HttpResponse:
        # The worker renders the sheet; its page shows the progress and, when done, the PDF.
        sheet = request_label_sheet(items=list(queryset.order_by("pk")), layout=layout, by=current_user(request))
        return HttpResponseRedirect(reverse("admin:stores_labelsheet_change", args=[sheet.pk]))

    return action


@admin.register(LabelSheet)
class LabelSheetAdmin(CommunityScopedAdmin):
    """Sheets asked for from the item list; read-only, with the progress and the PDF once rendered."""

    list_display = ["__str__", "layout", "status", "progress_shown", "created_by", "created_at", "pdf_link"]
    list_filter = ["community", "status", "layout"]
    list_select_related = ["created_by"]
    fields = ["layout", "status", "progress_shown", "created_by", "created_at", "finished_at", "error", "pdf_link"]
    readonly_fields = ["layout", "status", "progress_shown", "created_by", "created_at", "finished_at", "error"]
    readonly_fields += ["pdf_link"]

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.pdf_view)
        return [path("<path:object_id>/pdf/", view, name="stores_labelsheet_pdf"), *super().get_urls()]

    def pdf_view(self, request: HttpRequest, object_id: str) -> FileResponse:
        sheet = self.get_object(request, object_id)  # another community's sheet is a 404
        if not sheet.pdf:
            raise Http404(_("The sheet is not rendered yet."))
        return FileResponse(sheet.pdf.open("rb"), content_type="application/pdf", filename=f"labels-{sheet.pk}.pdf")

    @admin.display(description=_("progress"))
    def progress_shown(self, sheet: LabelSheet) -> str:
        return f"{sheet.done_count} / {sheet.total}"

    @admin.display(description=_("PDF"))
    def pdf_link(self, sheet: LabelSheet) -> str:
        if not sheet.pdf:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:stores_labelsheet_pdf", args=[sheet.pk]), _("download")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
