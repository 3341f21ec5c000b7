"""Admin pages for markets, lattice funds and shops, and the community fund's projects.

Money is entered on the staff pages (a sale, a share, a grant, a spending: each with its idempotency
key, through the services); here those entries are read-only, corrected by reversing their ledger
transaction. A shareholder's consent to be named can be changed here, as people change their minds.
"""

from typing import Any

from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from markets.models import (
    Cooperative,
    CooperativeMember,
    LatticeFund,
    LatticeShop,
    Market,
    MarketActivity,
    ProjectSpending,
    RevivalProject,
    Sale,
    ShopGrant,
    ShopRevenueReport,
    Stall,
    Subscription,
)
from markets.services.lattices import open_lattice_fund
from markets.services.markets import close_market, void_sale
from yicang.community.access import current_user
from yicang.community.admin import (
    CommunityScopedAdmin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ReasonPrompt,
    ScopedInline,
    for_each_row,
    reason_or_prompt,
)
from yicang.core.db import subquery_count
from yicang.ledger.models import Transaction
from yicang.ledger.units import format_amount


def _yuan(fen: int | None) -> str:
    return format_amount(int(fen or 0), "CNY")


class ParentCommunityFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    """Rows of a parent belong to the parent's community: set before validation, so their rules see it."""

    def _construct_form(self, i: int, **kwargs: Any) -> Any:
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        form.instance.community_id = self.instance.community_id
        return form

    @property
    def empty_form(self) -> Any:
        form = super().empty_form
        form.instance.community_id = self.instance.community_id
        return form


class CommunityRowsInline(ScopedInline):
    formset = ParentCommunityFormSet
    extra = 0


# --- Markets --------------------------------------------------------------------------------------


class StallInline(CommunityRowsInline):
    model = Stall
    fields = ["number", "seller", "description"]
    autocomplete_fields = ["seller"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("seller")


class MarketActivityInline(CommunityRowsInline):
    model = MarketActivity
    fields = ["kind", "title", "host", "people_served"]


class SaleInline(ReadOnlyInline):
    model = Sale
    fields = ["stall", "what", "price", "item", "sold_at"]
    readonly_fields = ["stall", "what", "price", "item", "sold_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("stall", "item__category")

    @admin.display(description=_("price"))
    def price(self, sale: Sale) -> str:
        return _yuan(sale.price_fen)


@admin.register(Market)
class MarketAdmin(CommunityScopedAdmin):
    list_display = ["title", "held_on", "place", "status", "stall_count", "sale_count", "community"]
    list_filter = ["community", "status"]
    list_select_related = ["community"]
    search_fields = ["title", "place"]
    autocomplete_fields = ["community"]
    fields = ["community", "title", "held_on", "place", "status", "closed_at", "closed_by", "staff_page"]
    readonly_fields = ["status", "closed_at", "closed_by", "staff_page"]
    date_hierarchy = "held_on"
    inlines = [StallInline, MarketActivityInline, SaleInline]
    actions = ["close_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = (
            super()
            .get_queryset(request)
            .annotate(
                stall_count=subquery_count(Stall.objects.all(), "market"),
                sale_count=subquery_count(Sale.objects.all(), "market"),
            )
        )
        return queryset

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self.readonly_fields, "community"] if obj else self.readonly_fields

    @admin.display(description=_("stalls"), ordering="stall_count")
    def stall_count(self, obj: Any) -> int:
        return int(obj.stall_count)

    @admin.display(description=_("sales"), ordering="sale_count")
    def sale_count(self, obj: Any) -> int:
        return int(obj.sale_count)

    @admin.display(description=_("sales and report"))
    def staff_page(self, obj: Market) -> str:
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("markets:market", args=[obj.pk]), _("Record sales, see the report")
        )

    def has_close_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("markets.close_market")

    @admin.action(permissions=["close"], description=_("Close the selected markets to sales"))
    def close_selected(self, request: HttpRequest, queryset: QuerySet[Market]) -> None:
        for market in queryset:
            close_market(market=market, by=current_user(request))
        self.message_user(request, _("Closed: their proceeds are final."))


@admin.register(Sale)
class SaleAdmin(ReadOnlyAdmin):
    """Read-only: sales are recorded on the market's staff page, corrected by reversing in the ledger."""

    list_display = ["what", "price", "market", "stall", "item", "sold_at", "recorded_by", "is_voided"]
    list_filter = ["community", "market"]
    list_select_related = ["market", "stall", "item__category", "recorded_by"]
    search_fields = ["what", "market__title", "idempotency_key"]
    date_hierarchy = "sold_at"
    actions = ["void_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = (
            super()
            .get_queryset(request)
            .annotate(voided=Exists(Transaction.objects.filter(reverses=OuterRef("transaction"))))
        )
        return queryset

    @admin.display(description=_("undone"), boolean=True, ordering="voided")
    def is_voided(self, sale: Any) -> bool:
        return bool(sale.voided)

    def has_void_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("markets.void_sale")

    @admin.action(permissions=["void"], description=_("Undo the selected sales (recorded by mistake)"))
    def void_selected(self, request: HttpRequest, queryset: QuerySet[Sale]) -> HttpResponse | None:
        reason = reason_or_prompt(self, request, queryset, "void_selected", VOID_PROMPT)
        if isinstance(reason, HttpResponse):
            return reason
        for_each_row(
            self,
            request,
            queryset,
            lambda sale: void_sale(sale=sale, by=current_user(request), reason=reason),
            _("undone, its money reversed in the ledger."),
        )
        return None

    fields = ["community", "market", "stall", "what", "price", "item", "item_event", "sold_at", "transaction"]
    readonly_fields = ["community", "market", "stall", "what", "price", "item", "item_event", "sold_at", "transaction"]

    @admin.display(description=_("price"), ordering="price_fen")
    def price(self, sale: Sale) -> str:
        return _yuan(sale.price_fen)


VOID_PROMPT = ReasonPrompt(
    title=_("Undo sales"),
    intro=_(
        "Each sale below is undone: its posting to the Yicang fund is reversed in the ledger and a store item it "
        "sold goes back in stock. The sale stays on record, marked undone."
    ),
    label=_("Why are they undone?"),
    missing=_("Give a reason."),
    submit=_("Undo them"),
)


@admin.register(MarketActivity)
class MarketActivityAdmin(CommunityScopedAdmin):
    list_display = ["title", "kind", "host", "market", "people_served", "community"]
    list_filter = ["community", "kind"]
    list_select_related = ["market", "community"]
    search_fields = ["title", "host", "market__title"]
    autocomplete_fields = ["community", "market"]


# --- Lattice funds and shops ----------------------------------------------------------------------


class ReadOnlyMoneyAdmin(ReadOnlyAdmin):
    """Entries of money: recorded on the staff pages, corrected by reversing in the ledger."""


@admin.register(LatticeFund)
class LatticeFundAdmin(CommunityScopedAdmin):
    list_display = ["name", "balance", "subscription_count", "shop_count", "community"]
    list_filter = ["community"]
    list_select_related = ["community", "account"]
    search_fields = ["name"]
    autocomplete_fields = ["community"]
    fields = ["community", "name", "purpose", "balance", "staff_page"]
    readonly_fields = ["balance", "staff_page"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = (
            super()
            .get_queryset(request)
            .annotate(
                subscription_count=subquery_count(Subscription.objects.all(), "fund"),
                shop_count=subquery_count(LatticeShop.objects.all(), "fund"),
            )
        )
        return queryset

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self.readonly_fields, "community"] if obj else self.readonly_fields

    @admin.display(description=_("balance"))
    def balance(self, fund: LatticeFund) -> str:
        return _yuan(fund.account.shown_balance) if fund.pk else "—"

    @admin.display(description=_("subscriptions"), ordering="subscription_count")
    def subscription_count(self, obj: Any) -> int:
        return int(obj.subscription_count)

    @admin.display(description=_("shops"), ordering="shop_count")
    def shop_count(self, obj: Any) -> int:
        return int(obj.shop_count)

    @admin.display(description=_("shares and grants"))
    def staff_page(self, obj: LatticeFund) -> str:
        if not obj.pk:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("markets:fund", args=[obj.pk]), _("Sell shares, make grants"))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new fund opens its own account in the ledger: the service does both. The form has already
        # checked the name is free in the community (the model's unique key).
        fund = open_lattice_fund(community=obj.community, name=obj.name, purpose=obj.purpose)
        obj.pk, obj.account_id, obj.created_at = fund.pk, fund.account_id, fund.created_at
        obj._state.adding = False


@admin.register(Subscription)
class SubscriptionAdmin(CommunityScopedAdmin):
    """The shareholder register. Only the consent to be named, and the name shown, can change."""

    list_display = ["shareholder", "kind", "shares", "amount", "subscribed_at", "public_consent", "public_name", "fund"]
    list_filter = ["community", "fund", "kind", "public_consent"]
    list_select_related = ["fund", "enterprise"]
    search_fields = ["person_name", "enterprise__name", "public_name", "idempotency_key"]
    date_hierarchy = "subscribed_at"
    fields = [
        "fund",
        "kind",
        "person_name",
        "resident",
        "enterprise",
        "shares",
        "amount",
        "subscribed_at",
        "transaction",
        "public_consent",
        "public_name",
    ]
    readonly_fields = [
        "fund",
        "kind",
        "person_name",
        "resident",
        "enterprise",
        "shares",
        "amount",
        "subscribed_at",
        "transaction",
    ]

    @admin.display(description=_("amount"), ordering="amount_fen")
    def amount(self, subscription: Subscription) -> str:
        return _yuan(subscription.amount_fen)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CooperativeMemberInline(ScopedInline):
    model = CooperativeMember
    fields = ["resident", "joined_on"]
    autocomplete_fields = ["resident"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("resident")


@admin.register(Cooperative)
class CooperativeAdmin(CommunityScopedAdmin):
    list_display = ["name", "member_count", "community"]
    list_filter = ["community"]
    list_select_related = ["community"]
    search_fields = ["name"]
    autocomplete_fields = ["community"]
    inlines = [CooperativeMemberInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = (
            super()
            .get_queryset(request)
            .annotate(member_count=subquery_count(CooperativeMember.objects.all(), "cooperative"))
        )
        return queryset

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj: Any) -> int:
        return int(obj.member_count)


class ShopRevenueReportInline(CommunityRowsInline):
    model = ShopRevenueReport
    fields = ["month", "revenue_fen", "note"]


class ShopGrantInline(ReadOnlyInline):
    model = ShopGrant
    fields = ["granted_at", "amount", "purpose"]
    readonly_fields = ["granted_at", "amount", "purpose"]

    @admin.display(description=_("amount"))
    def amount(self, grant: ShopGrant) -> str:
        return _yuan(grant.amount_fen)


@admin.register(LatticeShop)
class LatticeShopAdmin(CommunityScopedAdmin):
    list_display = ["name", "place", "sells", "run_by", "fund", "opened_on", "community"]
    list_filter = ["community", "fund"]
    list_select_related = ["fund", "operator", "cooperative", "community"]
    search_fields = ["name", "place", "sells"]
    autocomplete_fields = ["community", "operator", "cooperative"]
    fields = ["community", "fund", "name", "place", "sells", "operator", "cooperative", "opened_on"]
    inlines = [ShopRevenueReportInline, ShopGrantInline]

    @admin.display(description=_("run by"))
    def run_by(self, shop: LatticeShop) -> str:
        return str(shop.cooperative or shop.operator or "—")


@admin.register(ShopGrant)
class ShopGrantAdmin(ReadOnlyMoneyAdmin):
    list_display = ["shop", "amount", "purpose", "granted_at", "fund", "recorded_by"]
    list_filter = ["community", "fund"]
    list_select_related = ["shop", "fund", "recorded_by"]
    search_fields = ["shop__name", "purpose", "idempotency_key"]
    fields = ["shop", "fund", "amount", "purpose", "granted_at", "transaction", "recorded_by"]
    readonly_fields = ["shop", "fund", "amount", "purpose", "granted_at", "transaction", "recorded_by"]

    @admin.display(description=_("amount"), ordering="amount_fen")
    def amount(self, grant: ShopGrant) -> str:
        return _yuan(grant.amount_fen)


@admin.register(ShopRevenueReport)
class ShopRevenueReportAdmin(CommunityScopedAdmin):
    list_display = ["shop", "month", "revenue", "note", "community"]
    list_filter = ["community", "month"]
    list_select_related = ["shop", "community"]
    search_fields = ["shop__name"]
    autocomplete_fields = ["community", "shop"]
    fields = ["community", "shop", "month", "revenue_fen", "note"]

    @admin.display(description=_("revenue"), ordering="revenue_fen")
    def revenue(self, report: ShopRevenueReport) -> str:
        return _yuan(report.revenue_fen)


# --- The community fund's projects ----------------------------------------------------------------


class ProjectSpendingInline(ReadOnlyInline):
    model = ProjectSpending
    fields = ["spent_at", "what", "amount"]
    readonly_fields = ["spent_at", "what", "amount"]

    @admin.display(description=_("amount"))
    def amount(self, spending: ProjectSpending) -> str:
        return _yuan(spending.amount_fen)


@admin.register(RevivalProject)
class RevivalProjectAdmin(CommunityScopedAdmin):
    list_display = ["title", "asset", "place", "budget", "status", "started_on", "community"]
    list_filter = ["community", "status"]
    list_select_related = ["community"]
    search_fields = ["title", "asset", "place"]
    autocomplete_fields = ["community"]
    fields = ["community", "title", "asset", "place", "budget_fen", "status", "started_on", "staff_page"]
    readonly_fields = ["staff_page"]
    inlines = [ProjectSpendingInline]

    @admin.display(description=_("budget"), ordering="budget_fen")
    def budget(self, project: RevivalProject) -> str:
        return _yuan(project.budget_fen)

    @admin.display(description=_("spending"))
    def staff_page(self, obj: RevivalProject) -> str:
        if not obj.pk:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("markets:project", args=[obj.pk]), _("Record spending"))


@admin.register(ProjectSpending)
class ProjectSpendingAdmin(ReadOnlyMoneyAdmin):
    list_display = ["what", "amount", "project", "spent_at", "recorded_by"]
    list_filter = ["community"]
    list_select_related = ["project", "recorded_by"]
    search_fields = ["what", "project__title", "idempotency_key"]
    fields = ["project", "what", "amount", "spent_at", "transaction", "recorded_by"]
    readonly_fields = ["project", "what", "amount", "spent_at", "transaction", "recorded_by"]

    @admin.display(description=_("amount"), ordering="amount_fen")
    def amount(self, spending: ProjectSpending) -> str:
        return _yuan(spending.amount_fen)
