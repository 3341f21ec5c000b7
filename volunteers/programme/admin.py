"""Admin pages for training, commendation, capacity grants and activities.

Every page extends CommunityScopedAdmin / ScopedInline, so tenancy holds. The one place that shows
whom a One-Audience Theatre played for is the audience row on the theatre's change page, and only for
users with `volunteer_programme.view_audience`; for everyone else the resident field is not in the
form at all (neither shown nor accepted).
"""

from collections import Counter
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.forms import BaseInlineFormSet, ModelChoiceField, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from volunteers.models import Volunteer
from volunteers.programme.models import (
    DOORS_PER_CHILD,
    Activity,
    Attendance,
    CapacityGrant,
    Commendation,
    Curriculum,
    NeighbourVisit,
    Performer,
    RiceChild,
    TheatreAudience,
    TrainingSession,
)
from volunteers.programme.services import PAY_GRANT, VIEW_AUDIENCE, pay_capacity_grant
from yicang.community.access import current_user
from yicang.community.admin import CommunityScopedAdmin, ScopedInline
from yicang.core.db import subquery_count
from yicang.core.exceptions import DomainError
from yicang.ledger.models import Account, Transaction
from yicang.ledger.units import format_amount


class VolunteerChoiceMixin:
    """Volunteers are shown by their resident's name: fetch it with them, not once per row."""

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "volunteer":
            kwargs["queryset"] = Volunteer.objects.select_related("resident")
        field: ModelChoiceField[Any] | None = super().formfield_for_foreignkey(  # type: ignore[misc]
            db_field, request, **kwargs
        )
        return field


# --- Training -------------------------------------------------------------------------------------


class TrainingSessionInline(ScopedInline):
    model = TrainingSession
    fields = ["held_on", "place", "trainer"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # Each row is titled by its session, which names its curriculum.
        return super().get_queryset(request).select_related("curriculum")


@admin.register(Curriculum)
class CurriculumAdmin(CommunityScopedAdmin):
    list_display = ["title", "community", "hours_planned", "session_count"]
    list_filter = ["community"]
    list_select_related = ["community"]
    search_fields = ["title"]
    autocomplete_fields = ["community"]
    inlines = [TrainingSessionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = (
            super()
            .get_queryset(request)
            .annotate(session_count=subquery_count(TrainingSession.objects.all(), "curriculum"))
        )
        return queryset

    @admin.display(description=_("sessions"), ordering="session_count")
    def session_count(self, obj: Any) -> int:
        return int(obj.session_count)


class AttendanceInline(VolunteerChoiceMixin, ScopedInline):
    model = Attendance
    fields = ["volunteer", "attended"]
    autocomplete_fields = ["volunteer"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("volunteer__resident", "session__curriculum")


@admin.register(TrainingSession)
class TrainingSessionAdmin(CommunityScopedAdmin):
    list_display = ["curriculum", "held_on", "place", "trainer", "attended_count"]
    list_filter = ["curriculum"]
    list_select_related = ["curriculum"]
    search_fields = ["curriculum__title", "place", "trainer"]
    autocomplete_fields = ["curriculum"]
    inlines = [AttendanceInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        attended = Attendance.objects.filter(attended=True)
        queryset: QuerySet[Any] = (
            super().get_queryset(request).annotate(attended_count=subquery_count(attended, "session"))
        )
        return queryset

    @admin.display(description=_("attended"), ordering="attended_count")
    def attended_count(self, obj: Any) -> int:
        return int(obj.attended_count)


@admin.register(Commendation)
class CommendationAdmin(CommunityScopedAdmin):
    list_display = ["volunteer", "title", "awarded_on", "awarded_by", "public", "community"]
    list_filter = ["community", "public"]
    list_select_related = ["volunteer__resident", "community"]
    search_fields = ["volunteer__resident__name", "title", "awarded_by"]
    autocomplete_fields = ["community", "volunteer"]
    fields = ["community", "volunteer", "title", "awarded_on", "awarded_by", "citation", "public"]
    readonly_fields = ["recorded_by"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self.fields, *self.readonly_fields] if obj else self.fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.recorded_by = current_user(request)
        super().save_model(request, obj, form, change)


# --- Capacity grants ------------------------------------------------------------------------------


@admin.register(CapacityGrant)
class CapacityGrantAdmin(CommunityScopedAdmin):
    """Grants are paid by the action, always from the grant's community's own community fund.

    There is one such fund per community (a unique key in the ledger), and the service accepts no
    other, so the action needs no page asking which fund: the choice would only offer wrong answers.
    """

    list_display = ["purpose", "recipient", "amount_shown", "granted_on", "state", "community"]
    list_filter = ["community", "status"]
    list_select_related = ["group", "centre", "community"]
    search_fields = ["purpose", "group__name", "centre__name"]
    autocomplete_fields = ["community", "group", "centre"]
    fields = ["community", "group", "centre", "purpose", "amount_fen", "granted_on"]
    readonly_fields = ["state", "payment"]
    actions = ["pay_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CapacityGrant]:
        # A payment is corrected only by its reversal in the ledger, which this row does not hear of: look it up.
        reversal = Transaction.objects.filter(reverses=OuterRef("payment_id")).values("pk")[:1]
        grants: QuerySet[CapacityGrant] = super().get_queryset(request)
        return grants.annotate(reversal_id=Subquery(reversal))

    @admin.display(description=_("status"), ordering="status")
    def state(self, grant: CapacityGrant) -> str:
        reversal_id = getattr(grant, "reversal_id", None)
        if reversal_id is not None:
            return _("paid, then reversed in the ledger (#%(pk)s)") % {"pk": reversal_id}
        return str(grant.get_status_display())

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self.fields, *self.readonly_fields] if obj else self.fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A paid grant is history: the payment in the ledger refers to it.
        return super().has_change_permission(request, obj) and (
            obj is None or obj.status == CapacityGrant.Status.APPROVED
        )

    def has_pay_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PAY_GRANT)

    @admin.display(description=_("to"))
    def recipient(self, grant: CapacityGrant) -> str:
        return str(grant.recipient or "—")

    @admin.display(description=_("amount"), ordering="amount_fen")
    def amount_shown(self, grant: CapacityGrant) -> str:
        return format_amount(grant.amount_fen, "CNY")

    @admin.action(description=_("Pay the selected grants from the community fund"), permissions=["pay"])
    def pay_selected(self, request: HttpRequest, queryset: QuerySet[CapacityGrant]) -> None:
        grants = list(queryset.select_related("community", "group", "centre"))
        funds = {
            fund.community_id: fund
            for fund in Account.objects.filter(
                community_id__in={g.community_id for g in grants}, kind=Account.Kind.COMMUNITY_FUND
            )
        }
        for grant in grants:
            fund = funds.get(grant.community_id)
            if fund is None:
                message = _("%(community)s has no community fund to pay from.") % {"community": grant.community}
                self.message_user(request, f"{grant}: {message}", messages.ERROR)
                continue
            try:
                pay_capacity_grant(grant=grant, from_account=fund, by=current_user(request))
            except DomainError as error:
                self.message_user(request, f"{grant}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, _("%(grant)s: paid.") % {"grant": grant})


# --- Activities -----------------------------------------------------------------------------------


def _sees_audience(request: HttpRequest) -> bool:
    return request.user.has_perm(VIEW_AUDIENCE)


class PerformerInline(VolunteerChoiceMixin, ScopedInline):
    model = Performer
    fields = ["volunteer"]
    autocomplete_fields = ["volunteer"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("volunteer__resident")


class OneAudienceFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        # Before the formset's own uniqueness check, whose message about the one-to-one key says nothing.
        members = [
            form
            for form in self.forms
            if not form.cleaned_data.get("DELETE") and (form.instance.pk is not None or form.has_changed())
        ]
        if self.instance.kind == Activity.Kind.THEATRE and len(members) != 1:
            raise ValidationError(
                _("A One-Audience Theatre plays for exactly one person: record one audience member, no more.")
            )
        super().clean()


class TheatreAudienceInline(ScopedInline):
    model = TheatreAudience
    formset = OneAudienceFormSet
    fields = ["resident", "audience_note"]
    autocomplete_fields = ["resident"]
    # The one-to-one key caps the rows at one: a blank row while none is recorded, none after.
    extra = 1
    # Removing the audience would leave a theatre that played for no one; it is replaced instead.
    can_delete = False
    verbose_name_plural = _("the one audience member")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields if _sees_audience(request) else [f for f in self.fields if f != "resident"]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        # Not only unshown but not accepted: a crafted POST cannot set or clear the link either.
        return None if _sees_audience(request) else ["resident"]


class RiceChildInline(ScopedInline):
    model = RiceChild
    fields = ["nickname", "guardian_name"]
    extra = 0


class TenDoorsFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    """Every visit of the activity is in the formset, so the ten doors of each child are counted here."""

    def clean(self) -> None:
        super().clean()
        doors = Counter(
            form.cleaned_data["child"].pk
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("child")
        )
        if any(n > DOORS_PER_CHILD for n in doors.values()):
            raise ValidationError(_("Each child contacts at most %(n)s neighbours.") % {"n": DOORS_PER_CHILD})

    def save_new(self, form: ModelForm[Any], commit: bool = True) -> Any:
        form.instance.knock = NeighbourVisit.free_knock(form.instance.child)
        return super().save_new(form, commit=commit)

    def save_existing(self, form: ModelForm[Any], obj: Any, commit: bool = True) -> Any:
        if "child" in form.changed_data:
            obj.knock = NeighbourVisit.free_knock(obj.child)
        return super().save_existing(form, obj, commit=commit)


class NeighbourVisitInline(ScopedInline):
    model = NeighbourVisit
    formset = TenDoorsFormSet
    fields = ["child", "knock", "household", "door", "agreed", "rice_grams"]
    readonly_fields = ["knock"]
    autocomplete_fields = ["household"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("child", "household")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        # Only this activity's children, listed once for every row rather than queried per row.
        children = RiceChild.objects.filter(activity=obj) if obj is not None else RiceChild.objects.none()
        field = formset.form.base_fields["child"]
        assert isinstance(field, ModelChoiceField)
        field.queryset = children
        field.choices = [("", "---------"), *((child.pk, str(child)) for child in children)]
        return formset


@admin.register(Activity)
class ActivityAdmin(CommunityScopedAdmin):
    list_display = ["title", "kind", "held_on", "place", "organiser", "community"]
    list_filter = ["community", "kind"]
    list_select_related = ["organiser", "community"]
    search_fields = ["title", "place"]
    autocomplete_fields = ["community", "organiser"]
    fields = ["community", "kind", "title", "held_on", "place", "organiser", "notes", "meal_on", "meal_note"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and not obj.is_spoon_of_rice:
            return [f for f in self.fields if f not in {"meal_on", "meal_note"}]
        return self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The audience, the children and their visits belong to one kind of activity.
        return ["kind"] if obj is not None else []

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        if obj is None:
            # The kind is chosen on this page: the formsets check against it (see OneAudienceFormSet).
            return [PerformerInline, TheatreAudienceInline, RiceChildInline]
        if obj.is_theatre:
            return [PerformerInline, TheatreAudienceInline]
        if obj.is_spoon_of_rice:
            return [PerformerInline, RiceChildInline, NeighbourVisitInline]
        return [PerformerInline]
