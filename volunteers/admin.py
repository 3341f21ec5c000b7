from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from volunteers.models import Centre, Group, Membership, Organisation, TimeDonation, Volunteer
from volunteers.services import confirm_time_donation, reject_time_donation
from yicang.community.access import current_user
from yicang.community.admin import CommunityScopedAdmin, ReasonPrompt, ScopedInline, reason_or_prompt
from yicang.core.exceptions import DomainError


@admin.register(Volunteer)
class VolunteerAdmin(CommunityScopedAdmin):
    list_display = ["resident", "community", "status", "since", "left_on", "skills", "public_name_consent"]
    list_filter = ["community", "status"]
    list_select_related = ["resident", "community"]
    search_fields = ["resident__name", "skills"]
    autocomplete_fields = ["community", "resident"]


class MembershipInline(ScopedInline):
    model = Membership
    autocomplete_fields = ["resident"]
    extra = 0


@admin.register(Group)
class GroupAdmin(CommunityScopedAdmin):
    list_display = ["name", "kind", "community", "open_to_join"]
    list_filter = ["community", "kind"]
    list_select_related = ["community"]
    search_fields = ["name"]
    autocomplete_fields = ["community"]
    inlines = [MembershipInline]


@admin.register(Centre)
class CentreAdmin(CommunityScopedAdmin):
    list_display = ["name", "community", "lead", "lead_user"]
    list_filter = ["community"]
    list_select_related = ["community", "lead__resident", "lead_user"]
    search_fields = ["name"]
    autocomplete_fields = ["community", "lead", "lead_user", "members"]


@admin.register(Organisation)
class OrganisationAdmin(CommunityScopedAdmin):
    list_display = ["name", "level", "parent", "community"]
    list_filter = ["community", "level"]
    list_select_related = ["community", "parent"]
    search_fields = ["name"]
    autocomplete_fields = ["community", "parent"]


REJECTION_PROMPT = ReasonPrompt(
    title=_("Reject hours"),
    intro=_("The hours below are not credited; the volunteer sees the reason."),
    label=_("Why are they rejected?"),
    missing=_("Say why the hours are rejected."),
    submit=_("Reject them"),
)


@admin.register(TimeDonation)
class TimeDonationAdmin(CommunityScopedAdmin):
    list_display = ["volunteer", "minutes", "kind", "given_on", "group", "centre", "status", "decided_by"]
    list_filter = ["community", "status", "kind", "group", "centre"]
    list_select_related = ["volunteer__resident", "group", "centre", "decided_by"]
    search_fields = ["volunteer__resident__name", "description"]
    autocomplete_fields = ["community", "volunteer", "group", "centre"]
    fields = ["community", "volunteer", "minutes", "kind", "given_on", "description", "group", "centre"]
    readonly_fields = ["status", "decided_by", "decided_at", "rejection_reason", "credit"]
    actions = ["confirm_selected", "reject_selected"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self.fields, *self.readonly_fields] if obj else self.fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Decided hours are history: the credit in the ledger refers to them.
        return super().has_change_permission(request, obj) and (
            obj is None or obj.status == TimeDonation.Status.PENDING
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.recorded_by = current_user(request)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Confirm and credit the selected hours"))
    def confirm_selected(self, request: HttpRequest, queryset: QuerySet[TimeDonation]) -> None:
        for donation in queryset:
            try:
                confirm_time_donation(donation=donation, by=current_user(request))
            except DomainError as error:
                self.message_user(request, f"{donation}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, _("%(donation)s: credited.") % {"donation": donation})

    @admin.action(description=_("Reject the selected hours"))
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[TimeDonation]) -> HttpResponse | None:
        reason = reason_or_prompt(self, request, queryset, "reject_selected", REJECTION_PROMPT)
        if isinstance(reason, HttpResponse):
            return reason
        for donation in queryset:
            try:
                reject_time_donation(donation=donation, by=current_user(request), reason=reason)
            except DomainError as error:
                self.message_user(request, f"{donation}: {error.message}", messages.ERROR)
        return None
