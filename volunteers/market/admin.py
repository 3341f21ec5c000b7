# Admin pages here extend yicang.community.admin.CommunityScopedAdmin, so tenancy holds.
from collections.abc import Callable, Iterator
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from volunteers.market.models import Offer, Request, VerificationRequest
from volunteers.market.selectors import places_taken
from volunteers.market.services import (
    accept_request,
    approve_verification,
    cancel_request,
    close_offer,
    complete_request,
    mark_no_show,
    publish_offer,
    reject_verification,
)
from yicang.community.access import current_user
from yicang.community.admin import (
    CommunityScopedAdmin,
    ReasonPrompt,
    RevealMixin,
    ScopedInline,
    reason_or_prompt,
)
from yicang.community.models import SensitiveAccess, User
from yicang.community.services import record_access
from yicang.core.exceptions import DomainError


class RequestInline(ScopedInline):
    model = Request
    fields = readonly_fields = ("resident", "status", "created_at", "decided_at", "paid_by")
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("resident")

    # Requests come from residents on the portal, and change state only through the actions of their page.
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Offer)
class OfferAdmin(CommunityScopedAdmin):
    list_display = ["title", "volunteer", "community", "starts_at", "where", "capacity", "taken", "minutes", "status"]
    list_filter = ["community", "status"]
    list_select_related = ["community", "volunteer__resident"]
    search_fields = ["title", "where", "volunteer__resident__name"]
    autocomplete_fields = ["community", "volunteer"]
    date_hierarchy = "starts_at"
    fields = ["community", "volunteer", "title", "description", "where", "starts_at", "ends_at", "capacity", "minutes"]
    # Once published, residents book what was published: only its words may change afterwards.
    fixed_once_published = ["community", "volunteer", "starts_at", "ends_at", "capacity", "minutes"]
    shown_once_published = ["status", "published_by", "created_at"]
    inlines = [RequestInline]
    actions = ["close_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset(request).annotate(taken=places_taken())
        return queryset

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self.fields, *self.shown_once_published] if obj else self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self.fixed_once_published, *self.shown_once_published] if obj else []

    @admin.display(description=_("places taken"), ordering="taken")
    def taken(self, offer: Any) -> int:
        return int(offer.taken)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # Through the service, as every surface does; the form has run the model's rules already.
        published = publish_offer(
            volunteer=obj.volunteer,
            title=obj.title,
            description=obj.description,
            where=obj.where,
            starts_at=obj.starts_at,
            ends_at=obj.ends_at,
            capacity=obj.capacity,
            minutes=obj.minutes,
            by=current_user(request),
        )
        # The admin goes on with the object it gave us (the inlines, the log, the redirect).
        vars(obj).update(vars(published))

    @admin.action(description=_("Close the selected offers to new requests"), permissions=["change"])
    def close_selected(self, request: HttpRequest, queryset: QuerySet[Offer]) -> None:
        for offer in queryset:
            try:
                close_offer(offer=offer)
            except DomainError as error:
                self.message_user(request, f"{offer}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, gettext("%(offer)s: closed.") % {"offer": offer})


RequestStep = Callable[..., Request]
REQUEST_FIELDS = (
    "community",
    "offer",
    "resident",
    "note",
    "status",
    "created_at",
    "decided_at",
    "decided_by",
    "paid_by",
    "credit",
)


@admin.register(Request)
class RequestAdmin(CommunityScopedAdmin):
    list_display = ["offer", "resident", "status", "created_at", "decided_at", "paid_by", "community"]
    list_filter = ["community", "status", "paid_by"]
    list_select_related = ["offer", "resident", "community"]
    search_fields = ["offer__title", "resident__name"]
    fields = readonly_fields = REQUEST_FIELDS
    actions = ["accept_selected", "complete_selected", "no_show_selected", "cancel_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    # The record of a service given stays: the ledger's credit points at it.
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _apply(self, request: HttpRequest, queryset: QuerySet[Request], step: RequestStep, done: str) -> None:
        for service_request in queryset.select_related("offer", "resident"):
            try:
                step(service_request=service_request, by=current_user(request))
            except DomainError as error:
                self.message_user(request, f"{service_request}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, done % {"request": service_request})

    @admin.action(description=_("Accept the selected requests"), permissions=["change"])
    def accept_selected(self, request: HttpRequest, queryset: QuerySet[Request]) -> None:
        self._apply(request, queryset, accept_request, gettext("%(request)s: accepted."))

    @admin.action(description=_("Mark the selected requests done and move the time credit"), permissions=["change"])
    def complete_selected(self, request: HttpRequest, queryset: QuerySet[Request]) -> None:
        self._apply(request, queryset, complete_request, gettext("%(request)s: done, time credit moved."))

    @admin.action(description=_("Mark the selected requests as no-shows"), permissions=["change"])
    def no_show_selected(self, request: HttpRequest, queryset: QuerySet[Request]) -> None:
        self._apply(request, queryset, mark_no_show, gettext("%(request)s: marked as a no-show."))

    @admin.action(description=_("Cancel the selected requests"), permissions=["change"])
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[Request]) -> None:
        self._apply(request, queryset, cancel_request, gettext("%(request)s: cancelled."))


class VerificationStatusFilter(admin.SimpleListFilter):
    """The status, pending unless another is chosen: the list is the centre's queue of work."""

    title = _("status")
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[Any, Any]]:
        return [*VerificationRequest.Status.choices, (self.ALL, _("all"))]

    def _current(self) -> str:
        return str(self.value() or VerificationRequest.Status.PENDING)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        current = self._current()
        return queryset if current == self.ALL else queryset.filter(status=current)

    def choices(self, changelist: ChangeList) -> Iterator[Any]:
        current = self._current()
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


REJECTION_PROMPT = ReasonPrompt(
    title=_("Reject residency verifications"),
    intro=_("The residents below are not verified; each sees the reason. Their numbers and photos are not kept."),
    label=_("Why are they rejected?"),
    missing=_("Say why the verification is rejected; the resident sees the reason."),
    submit=_("Reject them"),
)


VERIFICATION_FIELDS = (
    "resident",
    "community",
    "status",
    "created_at",
    "id_number_shown",
    "photo_link",
    "reason",
    "decided_by",
    "decided_at",
)


@admin.register(VerificationRequest)
class VerificationRequestAdmin(RevealMixin):
    list_display = ["resident", "community", "status", "created_at", "id_number_masked", "has_photo", "decided_by"]
    list_filter = [VerificationStatusFilter, "community"]
    list_select_related = ["resident", "community", "decided_by"]
    search_fields = ["resident__name"]
    fields = readonly_fields = VERIFICATION_FIELDS
    actions = ["approve_selected", "reject_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    # The fact of a verification, who and when, is what the record is for.
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The photo only to those who decide: an ID card is more than a look at the list needs.
        return [f for f in self.fields if f != "photo_link" or self.has_change_permission(request, obj)]

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.photo_view)
        name = f"{self.opts.app_label}_{self.opts.model_name}_photo"
        return [path("<path:object_id>/photo/", view, name=name), *super().get_urls()]

    @admin.display(description=_("resident ID number"))
    def id_number_masked(self, verification: VerificationRequest) -> str:
        return verification.id_number_masked or "—"

    @admin.display(description=_("resident ID number"))
    def id_number_shown(self, verification: VerificationRequest) -> str:
        return self.masked(verification, "id_number", verification.id_number_masked)

    @admin.display(description=_("photo"), boolean=True)
    def has_photo(self, verification: VerificationRequest) -> bool:
        return bool(verification.photo)

    @admin.display(description=_("photo of the ID card"))
    def photo_link(self, verification: VerificationRequest) -> str:
        if not verification.photo:
            return "—"
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_photo", args=[verification.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("view (logged)"))

    def photo_view(self, request: HttpRequest, object_id: str) -> FileResponse:
        """The photo while it exists, to staff who may decide; the look is written to the access log."""
        verification = self.get_object(request, object_id)
        if not self.has_change_permission(request, verification):
            raise PermissionDenied
        if not verification.photo:
            raise Http404(_("No such record."))
        user: User = current_user(request)
        record_access(
            obj=verification,
            field="photo",
            user=user,
            reason=gettext("Checking residency"),
            action=SensitiveAccess.Action.REVEAL,
        )
        # admin_view() marks it private and never cached.
        return FileResponse(verification.photo.open("rb"))

    @admin.action(description=_("Verify the selected residents"), permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[VerificationRequest]) -> None:
        for verification in queryset.select_related("resident"):
            try:
                approve_verification(verification=verification, by=current_user(request))
            except DomainError as error:
                self.message_user(request, f"{verification.resident}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, gettext("%(name)s: verified.") % {"name": verification.resident})

    @admin.action(description=_("Reject the selected verifications"), permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[VerificationRequest]) -> HttpResponse | None:
        reason = reason_or_prompt(self, request, queryset, "reject_selected", REJECTION_PROMPT)
        if isinstance(reason, HttpResponse):
            return reason
        for verification in queryset.select_related("resident"):
            try:
                reject_verification(verification=verification, by=current_user(request), reason=reason)
            except DomainError as error:
                self.message_user(request, f"{verification.resident}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, gettext("%(name)s: rejected.") % {"name": verification.resident})
        return None
