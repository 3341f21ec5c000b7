from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.filters import RelatedFieldListFilter
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from yicang.community.access import current_user
from yicang.community.admin_import import HouseholdImportMixin
from yicang.community.models import Community, Household, Resident, SensitiveAccess, StaffMembership, User
from yicang.community.scoping import is_scoped, scope
from yicang.community.services import (
    checked_id_number,
    remove_staff_member,
    reveal,
    set_id_number,
    sync_user_groups,
)
from yicang.core.db import subquery_count
from yicang.core.exceptions import DomainError

admin.site.site_header = _("Yicang administration")
admin.site.site_title = _("Yicang")
admin.site.index_title = _("Neighbourhood mutual aid")


@dataclass(frozen=True)
class ReasonPrompt:
    """What an admin action that needs a reason asks: see `reason_or_prompt`."""

    title: Any
    intro: Any
    label: Any
    missing: Any
    submit: Any


def reason_or_prompt(
    model_admin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any], action: str, prompt: ReasonPrompt
) -> str | TemplateResponse:
    """The reason given on the action's confirmation page, or that page (asking again when left empty)."""
    reason = request.POST.get("reason", "").strip()
    if "apply" in request.POST and reason:
        return reason
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "objects": queryset,
        "action": action,
        "reason_missing": "apply" in request.POST,
        **vars(prompt),
    }
    return TemplateResponse(request, "admin/action_reason.html", context)


R = TypeVar("R")


def for_each_row(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    rows: Iterable[R],
    work: Callable[[R], object],
    done: StrOrPromise | Callable[[R, Any], str],
) -> int:
    """An admin action's loop: run a service on each selected row and say what became of it.

    A refusal (DomainError) is an error message naming the row, never a 500, and the other rows go on.
    `done` is said after the row's name, or, as a function of the row and what the service returned,
    is the whole message. Returns how many rows the service took.
    """
    taken = 0
    for row in rows:
        try:
            result = work(row)
        except DomainError as error:
            model_admin.message_user(request, f"{row}: {error.message}", messages.ERROR)
            continue
        taken += 1
        model_admin.message_user(request, done(row, result) if callable(done) else f"{row}: {done}")
    return taken


class ScopedRelatedFieldListFilter(RelatedFieldListFilter):
    """A sidebar filter that offers only the related rows the user may see (not every community's)."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: admin.ModelAdmin[Any]) -> list[Any]:
        related = scope(field.related_model._default_manager.all(), request.user)
        return [(obj.pk, str(obj)) for obj in related]


class CommunityScopedAdmin(admin.ModelAdmin[Any]):
    """The admin's side of community tenancy; every admin of a community-owned model extends it.

    Changelists, actions and autocomplete read `get_queryset`; change, delete and history views read
    `get_object`; forms read the foreign-key and many-to-many querysets: all of them go through
    `scope()`, so staff of one community cannot see, choose or change another community's rows.
    """

    # National staff page through hundreds of thousands of rows: a second, unfiltered COUNT(*) per
    # page is the slowest query of the changelist (bench/tenancy_at_scale.py).
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope(super().get_queryset(request), request.user)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Django would redirect with "does not exist"; a plain 404 says no more than that.
            raise Http404(_("No such record."))
        return obj

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return _scope_choices(field, db_field, request)

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField[Any] | None:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return _scope_choices(field, db_field, request)

    def get_list_filter(self, request: HttpRequest) -> Any:
        return [_scoped_filter(self.model, spec) for spec in super().get_list_filter(request)]


F = TypeVar("F", bound=ModelChoiceField[Any])


class ActionsOnlyAdmin(CommunityScopedAdmin):
    """Rows that change only through the services' admin actions: the list offers those actions to staff
    with the model's change permission; a row's own page is read-only; nothing is added or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ActionsOnlyAdmin):
    """Rows only services write (history, money, counts): shown, and acted on only through actions that
    need their own permission; never changed in a form."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _scope_choices(field: F | None, db_field: Any, request: HttpRequest) -> F | None:
    if field is not None and field.queryset is not None and is_scoped(db_field.related_model):
        field.queryset = scope(field.queryset, request.user)
    return field


def _scoped_filter(model: type[models.Model], spec: Any) -> Any:
    if isinstance(spec, str) and "__" not in spec:
        field = model._meta.get_field(spec)
        if field.is_relation and field.related_model is not None and is_scoped(field.related_model):  # type: ignore[arg-type]
            return (spec, ScopedRelatedFieldListFilter)
    return spec


class RevealMixin(CommunityScopedAdmin):
    """Masked sensitive fields with a "reveal" page: the permission is checked and every look logged.

    The model lists its fields in SENSITIVE (yicang.core.sensitive.Sensitive); `masked()` renders
    the masked value with the link, for use in a readonly field.
    """

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.opts.app_label}_{self.opts.model_name}_reveal"
        view = self.admin_site.admin_view(self.reveal_view)
        return [path("<path:object_id>/reveal/<str:field>/", view, name=name), *super().get_urls()]

    def masked(self, obj: Any, field: str, shown: str) -> str:
        if not obj.pk or not shown:
            return shown or "—"
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_reveal", args=[obj.pk, field])
        return format_html('{} <a href="{}">{}</a>', shown, url, _("reveal (logged)"))

    def reveal_view(self, request: HttpRequest, object_id: str, field: str) -> HttpResponse:
        obj = self.get_object(request, object_id)
        spec = getattr(self.model, "SENSITIVE", {}).get(field)
        if spec is None:
            raise Http404(_("No such record."))
        if not request.user.has_perm(spec.permission):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "label": spec.label,
            "title": _("See %(what)s of %(whom)s") % {"what": spec.label, "whom": obj},
        }
        if request.method == "POST":
            try:
                reason = request.POST.get("reason", "")
                context["value"] = reveal(obj=obj, field=field, user=current_user(request), reason=reason)
            except DomainError as error:
                context["error"] = error.message
        return TemplateResponse(request, "admin/community/reveal.html", context)


class ScopedInline(admin.TabularInline[Any, Any]):
    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return _scope_choices(field, db_field, request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        return scope(queryset, request.user) if is_scoped(self.model) else queryset


@admin.register(Community)
class CommunityAdmin(CommunityScopedAdmin):
    list_display = ["name", "street", "district", "city", "code", "household_count", "resident_count"]
    list_filter = ["city", "district"]
    search_fields = ["name", "street", "district", "city", "code"]
    prepopulated_fields = {"code": ["name"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = (
            super()
            .get_queryset(request)
            .annotate(
                household_count=subquery_count(Household.objects.all(), "community"),
                resident_count=subquery_count(Resident.objects.all(), "community"),
            )
        )
        return queryset

    @admin.display(description=_("households"), ordering="household_count")
    def household_count(self, obj: Any) -> int:
        return int(obj.household_count)

    @admin.display(description=_("residents"), ordering="resident_count")
    def resident_count(self, obj: Any) -> int:
        return int(obj.resident_count)

    # A community is opened or closed nationally; centre staff work within theirs.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_national(request) and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_national(request) and super().has_delete_permission(request, obj)


def _is_national(request: HttpRequest) -> bool:
    return request.user.is_authenticated and request.user.sees_all_communities


class ReadOnlyInline(ScopedInline):
    """History shown under its parent (status changes, legs, item events): written by services, never here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ResidentInline(ScopedInline):
    model = Resident
    fields = ["name", "gender", "birth_year"]
    extra = 0
    show_change_link = True


@admin.register(Household)
class HouseholdAdmin(HouseholdImportMixin, CommunityScopedAdmin):
    list_display = ["name", "community", "address", "member_count", "created_at"]
    list_filter = ["community"]
    list_select_related = ["community"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["community"]
    inlines = [ResidentInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = (
            super().get_queryset(request).annotate(member_count=subquery_count(Resident.objects.all(), "household"))
        )
        return queryset

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj: Any) -> int:
        return int(obj.member_count)


class ResidentForm(forms.ModelForm[Resident]):
    id_number = forms.CharField(
        label=_("resident ID number"),
        required=False,
        max_length=30,
        help_text=_("Type it to record a verified number (checked, then stored sealed); leave empty to keep it."),
    )

    class Meta:
        model = Resident
        fields = ["community", "household", "name", "gender", "birth_year", "user"]

    def clean_id_number(self) -> str:
        number = self.cleaned_data["id_number"].strip()
        return checked_id_number(number, resident=self.instance).number if number else ""


@admin.register(Resident)
class ResidentAdmin(RevealMixin):
    form = ResidentForm
    list_display = ["name", "household", "community", "gender", "birth_year", "id_number_masked"]
    list_filter = ["community", "gender"]
    list_select_related = ["community", "household"]
    search_fields = ["name", "household__name"]
    autocomplete_fields = ["community", "household", "user"]
    readonly_fields = ["id_number_shown", "id_verified_at", "id_verified_by"]

    @admin.display(description=_("resident ID number"))
    def id_number_masked(self, resident: Resident) -> str:
        return resident.id_number_masked

    @admin.display(description=_("resident ID number on record"))
    def id_number_shown(self, resident: Resident) -> str:
        return self.masked(resident, "id_number", resident.id_number_masked)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("id_number"):
            set_id_number(resident=obj, number=form.cleaned_data["id_number"], by=current_user(request))


@admin.register(SensitiveAccess)
class SensitiveAccessAdmin(ReadOnlyAdmin):
    """The access log: read-only, for managers to see who looked at whose data and why."""

    list_display = ["at", "user", "action", "subject_label", "field", "reason", "community"]
    list_filter = ["community", "action", "field"]
    list_select_related = ["user", "community"]
    search_fields = ["subject_label", "reason", "user__username"]
    date_hierarchy = "at"


@admin.register(StaffMembership)
class StaffMembershipAdmin(CommunityScopedAdmin):
    list_display = ["user", "community", "role", "since"]
    list_filter = ["community", "role"]
    list_select_related = ["user", "community"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "community__name"]
    autocomplete_fields = ["user", "community"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        sync_user_groups(obj.user)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        remove_staff_member(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for membership in queryset.select_related("user"):
            remove_staff_member(membership)


class MembershipInline(ScopedInline):
    model = StaffMembership
    fk_name = "user"
    fields = ["community", "role", "since"]
    extra = 0


@admin.register(User)
class UserAdmin(CommunityScopedAdmin, DjangoUserAdmin[User]):
    list_display = ["username", "first_name", "last_name", "is_staff", "is_national", "is_active"]
    list_filter = ["is_staff", "is_national", "is_superuser", "is_active"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Communities"), {"fields": ["is_national"]}),
    )
    inlines = [MembershipInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        sync_user_groups(form.instance)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only a superuser may hand out powers beyond the role groups.
            readonly += ["is_superuser", "is_national", "user_permissions", "groups"]
        return readonly
