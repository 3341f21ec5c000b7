"""Delivery plans in the admin: read-only records; a plan is closed and a visit marked failed by the services."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from stores.models import Delivery, DeliveryPlan
from stores.selectors.delivery import plans_with_counts
from stores.services.delivery import close_plan, mark_not_delivered
from yicang.community.access import current_user
from yicang.community.admin import (
    ActionsOnlyAdmin,
    ReadOnlyInline,
    ReasonPrompt,
    reason_or_prompt,
)
from yicang.community.models import SensitiveAccess
from yicang.community.services import record_access
from yicang.core.exceptions import DomainError

VISIT_FIELDS = ("family", "volunteer", "status", "confirmation", "confirmed_at", "confirmed_by", "wrong_codes", "note")

PLAN_FIELDS: tuple[str, ...] = ("community", "centre", "warehouse", "planned_for", "status", "note", "created_by")
PLAN_FIELDS += ("created_at", "closed_at", "staff_page")
DELIVERY_FIELDS: tuple[str, ...] = ("community", "plan", "family", "volunteer", "status", "confirmation")
DELIVERY_FIELDS += ("confirmed_at", "confirmed_by", "wrong_codes", "photo_link", "note")


class VisitInline(ReadOnlyInline):
    model = Delivery
    fields = VISIT_FIELDS
    readonly_fields = VISIT_FIELDS
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("family__household", "volunteer__resident", "confirmed_by")


@admin.register(DeliveryPlan)
class DeliveryPlanAdmin(ActionsOnlyAdmin):
    """Plans are made on the staff pages; here they are read, and closed through the service."""

    list_display = ["__str__", "centre", "warehouse", "planned_for", "status", "visits_shown", "created_by"]
    list_filter = ["community", "status", "centre", "planned_for"]
    date_hierarchy = "planned_for"
    fields = PLAN_FIELDS
    readonly_fields = PLAN_FIELDS
    inlines = [VisitInline]
    actions = ["close_plans"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # list_select_related is ignored once a queryset selects related rows itself: name them all here.
        return plans_with_counts(super().get_queryset(request)).select_related("created_by")

    @admin.display(description=_("delivered / visits"))
    def visits_shown(self, plan: DeliveryPlan) -> str:
        return f"{plan.visits_delivered} / {plan.visits}"  # type: ignore[attr-defined]

    @admin.display(description=_("staff page"))
    def staff_page(self, plan: DeliveryPlan) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("stores:delivery-plan", args=[plan.pk]), pgettext("link to a page", "open")
        )

    @admin.action(description=_("Close the plans (what was not delivered goes back to stock)"), permissions=["change"])
    def close_plans(self, request: HttpRequest, queryset: QuerySet[DeliveryPlan]) -> None:
        closed = 0
        for plan in queryset.order_by("pk"):
            try:
                close_plan(plan=plan, by=current_user(request))
            except DomainError as error:
                self.message_user(request, f"{plan}: {error.message}", messages.WARNING)
            else:
                closed += 1
        if closed:
            self.message_user(request, _("%(n)s plans closed.") % {"n": closed}, messages.SUCCESS)


NOT_DELIVERED = ReasonPrompt(
    title=_("Mark not delivered"),
    intro=_("The items of these visits go back to stock; each event keeps the reason."),
    label=_("Why were they not delivered?"),
    missing=_("Say why."),
    submit=_("Mark not delivered"),
)


@admin.register(Delivery)
class DeliveryAdmin(ActionsOnlyAdmin):
    """Visits are read here; confirmed at the door, or marked not delivered through the service."""

    list_display = ["__str__", "status", "confirmation", "confirmed_at", "volunteer", "wrong_codes"]
    list_filter = ["community", "status", "confirmation"]
    list_select_related = ["plan__centre", "family__household", "volunteer__resident"]
    search_fields = ["family__household__name"]
    fields = DELIVERY_FIELDS
    readonly_fields = DELIVERY_FIELDS
    actions = ["mark_not_delivered"]

    @admin.display(description=_("photo"))
    def photo_link(self, delivery: Delivery) -> str:
        if not delivery.photo:
            return "—"
        url = reverse("admin:stores_delivery_photo", args=[delivery.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("view (logged)"))

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.photo_view)
        return [path("<path:object_id>/photo/", view, name="stores_delivery_photo"), *super().get_urls()]

    def photo_view(self, request: HttpRequest, object_id: str) -> FileResponse:
        """The proof-of-delivery photo, to staff of the visit's community only (never a public media URL)."""
        delivery = self.get_object(request, object_id)  # another community's visit is a 404
        if not self.has_view_permission(request, delivery):
            raise PermissionDenied
        if not delivery.photo:
            raise Http404(_("No such record."))
        # A photo at a family's door tells where the family lives: each look is in the access log.
        record_access(
            obj=delivery,
            field="photo",
            user=current_user(request),
            reason=gettext("Checking a proof of delivery"),
            action=SensitiveAccess.Action.REVEAL,
        )
        return FileResponse(delivery.photo.open("rb"))

    @admin.action(description=_("Mark not delivered (the items go back to stock)"), permissions=["change"])
    def mark_not_delivered(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> HttpResponse | None:
        reason = reason_or_prompt(self, request, queryset, "mark_not_delivered", NOT_DELIVERED)
        if not isinstance(reason, str):
            return reason
        for delivery in queryset.order_by("pk"):
            try:
                mark_not_delivered(delivery=delivery, by=current_user(request), reason=reason)
            except DomainError as error:
                self.message_user(request, f"{delivery}: {error.message}", messages.WARNING)
        return None
