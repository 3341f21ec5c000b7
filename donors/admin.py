# Admin pages here extend yicang.community.admin.CommunityScopedAdmin, so tenancy holds.
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from donors.models import AssistantEnterprise, CompassionFamily, EnterpriseContribution, MediaCoverage, MediaPartner
from donors.selectors import TreeStats, recruitment_stats
from donors.services import save_compassion_family
from yicang.community.access import current_user
from yicang.community.admin import CommunityScopedAdmin, ScopedInline
from yicang.core.db import subquery_count


@admin.register(CompassionFamily)
class CompassionFamilyAdmin(CommunityScopedAdmin):
    list_display = [
        "household",
        "community",
        "opinion_leader",
        "recruited_by",
        "joined_on",
        "tree_size",
        "tree_depth",
        "public_name_consent",
    ]
    list_filter = ["community", "opinion_leader", "public_name_consent"]
    search_fields = ["household__name", "public_name"]
    autocomplete_fields = ["community", "household", "recruited_by"]
    fields = [
        "community",
        "household",
        "opinion_leader",
        "recruited_by",
        "joined_on",
        "tree_size",
        "tree_depth",
        "public_name_consent",
        "public_name",
        "consent_recorded_at",
        "registered_by",
    ]
    readonly_fields = ["tree_size", "tree_depth", "consent_recorded_at", "registered_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # A family reads as its household's name, in autocomplete too (which list_select_related does
        # not reach); and the changelist skips list_select_related once a queryset has any, so all here.
        return super().get_queryset(request).select_related("household", "community", "recruited_by__household")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A family's tree lies within its community: moving it would leave its recruits behind.
        return [*self.readonly_fields, "community", "household"] if obj else self.readonly_fields

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        changelist = super().get_changelist_instance(request)
        # The page's rows are read here, and the template reuses them: so the figures are worked out
        # once for the page, in one query, instead of once per row.
        families: list[Any] = list(changelist.result_list)
        stats = recruitment_stats({family.community_id for family in families if family.opinion_leader})
        for family in families:
            family.snowball = stats.get(family.pk)
        return changelist

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        family = super().get_object(request, object_id, from_field)
        family.snowball = recruitment_stats({family.community_id}).get(family.pk) if family.opinion_leader else None
        return family

    @admin.display(description=_("families recruited below"))
    def tree_size(self, family: Any) -> int | str:
        stats = _snowball(family)
        return stats.size if stats else "—"

    @admin.display(description=_("generations below"))
    def tree_depth(self, family: Any) -> int | str:
        stats = _snowball(family)
        return stats.depth if stats else "—"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Through the service: it checks the tree again under the community's lock, so two staff
        # changing recruiters at once cannot close a loop between them.
        save_compassion_family(family=obj, by=current_user(request))


def _snowball(family: Any) -> TreeStats | None:
    # Figures are shown for opinion leaders, whose trees are what the snowball is about.
    return getattr(family, "snowball", None) if family.opinion_leader else None


class ContributionForm(forms.ModelForm[EnterpriseContribution]):
    # Staff type yuan, as on a receipt; the row keeps integer fen.
    amount = forms.DecimalField(
        label=_("amount or value (yuan)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
        help_text=_("The money given, or the value of the goods or services if known."),
    )

    class Meta:
        model = EnterpriseContribution
        fields = ["given_on", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.amount_fen is not None:
            self.fields["amount"].initial = Decimal(self.instance.amount_fen) / 100

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        amount: Decimal | None = cleaned.get("amount")
        self.instance.amount_fen = int(amount * 100) if amount is not None else None
        return cleaned


class ContributionInline(ScopedInline):
    model = EnterpriseContribution
    form = ContributionForm
    fields = ["given_on", "description", "amount"]
    extra = 1


class PartnerAdmin(CommunityScopedAdmin):
    """Enterprises and media partners: their contact person is private, so lists show the phone masked."""

    list_select_related = ["community"]
    # Not the phone: it is shown only on the change page, to those who may change the partner.
    search_fields = ["name", "contact_name"]
    autocomplete_fields = ["community"]
    counted: tuple[type[models.Model], str, str]  # (what is counted, its key to the partner, the annotation)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        model, key, name = self.counted
        queryset: QuerySet[Any] = (
            super().get_queryset(request).annotate(**{name: subquery_count(model._default_manager.all(), key)})
        )
        return queryset

    @admin.display(description=_("contact phone"))
    def contact_phone_masked(self, partner: Any) -> str:
        return str(partner.contact_phone_masked or "—")


@admin.register(AssistantEnterprise)
class AssistantEnterpriseAdmin(PartnerAdmin):
    list_display = [
        "name",
        "community",
        "since",
        "contact_name",
        "contact_phone_masked",
        "public_consent",
        "contribution_count",
    ]
    list_filter = ["community", "public_consent"]
    fields = ["community", "name", "since", "contact_name", "contact_phone", "public_consent"]
    inlines = [ContributionInline]
    counted = (EnterpriseContribution, "enterprise", "contribution_count")

    @admin.display(description=_("contributions"), ordering="contribution_count")
    def contribution_count(self, enterprise: Any) -> int:
        return int(enterprise.contribution_count)


class CoverageInline(ScopedInline):
    model = MediaCoverage
    fields = ["published_on", "title", "url"]
    extra = 1
    # Outlets publish over https; Django 6 assumes it too, and warns until told.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(MediaPartner)
class MediaPartnerAdmin(PartnerAdmin):
    list_display = [
        "name",
        "community",
        "outlet",
        "contact_name",
        "contact_phone_masked",
        "public_consent",
        "coverage_count",
    ]
    list_filter = ["community", "outlet", "public_consent"]
    fields = ["community", "name", "outlet", "contact_name", "contact_phone", "public_consent"]
    inlines = [CoverageInline]
    counted = (MediaCoverage, "partner", "coverage_count")

    @admin.display(description=_("reports"), ordering="coverage_count")
    def coverage_count(self, partner: Any) -> int:
        return int(partner.coverage_count)
