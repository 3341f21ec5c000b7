from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from recipients.exceptions import NotAllowedTransition
from recipients.models import (
    ConsentRecord,
    HomeVisit,
    NeedsAssessment,
    RecipientFamily,
    StatusChange,
    Vulnerability,
)
from recipients.services import (
    assess,
    change_status,
    record_consent,
    sensitive_consent_problem,
    set_sensitive_details,
    withdraw_consent,
)
from yicang.community.access import current_user
from yicang.community.admin import CommunityScopedAdmin, ReadOnlyInline, RevealMixin, ScopedInline


class VulnerabilityInline(ScopedInline):
    model = Vulnerability
    extra = 0


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = ["at", "from_status", "to_status", "by", "note"]


class AssessmentInline(ReadOnlyInline):
    model = NeedsAssessment
    fields = ["assessed_on", "assessed_by", "needs", "next_review"]
    readonly_fields = ["assessed_on", "assessed_by", "needs", "next_review"]
    show_change_link = True


class ConsentInline(ReadOnlyInline):
    model = ConsentRecord
    fields = ["scope", "subject", "given_by", "by_guardian", "given_on", "withdrawn_on"]
    readonly_fields = ["scope", "subject", "given_by", "by_guardian", "given_on", "withdrawn_on"]
    show_change_link = True


class VisitInline(ScopedInline):
    model = HomeVisit
    fields = ["visited_on", "visitor", "notes"]
    readonly_fields = ["visitor"]
    extra = 0


class RecipientFamilyForm(forms.ModelForm[RecipientFamily]):
    details = forms.CharField(
        label=_("health, disability and income details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Write to replace what is recorded (it is stored sealed); leave empty to keep it."),
    )

    class Meta:
        model = RecipientFamily
        fields = ["community", "household", "applied_on", "volunteer_since"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("details", "").strip() and self.instance.pk:
            if (problem := sensitive_consent_problem(self.instance)) is not None:
                raise ValidationError({"details": problem})
        elif cleaned.get("details", "").strip():
            raise ValidationError({"details": _("Save the family and record its consent first.")})
        return cleaned


def _status_action(to: str, label: Any) -> Any:
    def action(modeladmin: "RecipientFamilyAdmin", request: HttpRequest, queryset: QuerySet[RecipientFamily]) -> None:
        for family in queryset:
            try:
                change_status(family=family, to=to, by=current_user(request))
            except NotAllowedTransition as error:
                modeladmin.message_user(request, f"{family}: {error.message}", messages.ERROR)
            else:
                modeladmin.message_user(request, _("%(family)s: %(status)s") % {"family": family, "status": label})

    action.__name__ = f"mark_{to}"
    return admin.action(description=label, permissions=["change"])(action)


@admin.register(RecipientFamily)
class RecipientFamilyAdmin(RevealMixin):
    form = RecipientFamilyForm
    list_display = ["household", "community", "status", "categories", "applied_on", "volunteer_since"]
    list_filter = ["community", "status", "vulnerabilities__category"]
    list_select_related = ["household", "community"]
    search_fields = ["household__name"]
    autocomplete_fields = ["community", "household"]
    readonly_fields = ["status", "details_shown"]
    inlines = [VulnerabilityInline, StatusChangeInline, AssessmentInline, ConsentInline, VisitInline]
    actions = [
        _status_action(status, label)
        for status, label in [
            (RecipientFamily.Status.ACTIVE, _("Mark as receiving support")),
            (RecipientFamily.Status.GRADUATED, _("Mark as graduated")),
            (RecipientFamily.Status.WITHDRAWN, _("Mark as withdrawn")),
            (RecipientFamily.Status.APPLIED, _("Mark as applying again")),
        ]
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset(request).prefetch_related("vulnerabilities")
        return queryset

    @admin.display(description=_("categories"))
    def categories(self, family: RecipientFamily) -> str:
        return ", ".join(str(v) for v in family.vulnerabilities.all())

    @admin.display(description=_("health, disability and income details"))
    def details_shown(self, family: RecipientFamily) -> str:
        return self.masked(family, "details", str(_("recorded, sealed")) if family.details_sealed else "")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            StatusChange.objects.create(family=obj, from_status="", to_status=obj.status, by=current_user(request))
        if form.cleaned_data.get("details", "").strip():
            set_sensitive_details(family=obj, details=form.cleaned_data["details"], by=current_user(request))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for instance in formset.save(commit=False):
            if isinstance(instance, HomeVisit) and instance.visitor_id is None:
                instance.visitor = current_user(request)
            instance.save()
        for instance in formset.deleted_objects:
            instance.delete()


class FamilyRecordAdmin(CommunityScopedAdmin):
    list_select_related = ["family__household", "family__community"]
    autocomplete_fields = ["family"]
    search_fields = ["family__household__name"]


@admin.register(NeedsAssessment)
class NeedsAssessmentAdmin(FamilyRecordAdmin):
    list_display = ["family", "assessed_on", "assessed_by", "next_review"]
    list_filter = ["family__community"]
    fields = ["family", "assessed_on", "needs", "next_review"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        assess(
            family=obj.family,
            by=current_user(request),
            needs=obj.needs,
            next_review=obj.next_review,
            assessed_on=obj.assessed_on,
        )


@admin.register(ConsentRecord)
class ConsentRecordAdmin(FamilyRecordAdmin):
    list_display = ["family", "scope", "subject", "given_by", "by_guardian", "given_on", "withdrawn_on"]
    list_filter = ["family__community", "scope"]
    fields = ["family", "scope", "subject", "given_by", "by_guardian", "given_on", "withdrawn_on"]
    autocomplete_fields = ["family", "subject"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A consent is a record of what was said: once written, only its withdrawal changes.
        return ["family", "scope", "subject", "given_by", "by_guardian", "given_on"] if obj else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            if "withdrawn_on" in form.changed_data and obj.withdrawn_on:
                withdraw_consent(consent=obj, on=obj.withdrawn_on)
            return
        record_consent(
            family=obj.family,
            scope=obj.scope,
            given_by=obj.given_by,
            by=current_user(request),
            subject=obj.subject,
            by_guardian=obj.by_guardian,
            given_on=obj.given_on,
        )
