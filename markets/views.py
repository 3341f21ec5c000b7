"""Staff pages for recording sales, shares, grants and spending, and the public fund pages.

Staff pages go through `get_scoped_or_404` and the model permissions; every change goes through
services.py. Public pages show funds of one community by its code, from the ledger: no seller, operator
or recipient, and shareholders only by consent.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from markets.exceptions import BadAmount, NotWholeShares
from markets.forms import GrantForm, SaleForm, SpendingForm, SubscriptionForm
from markets.models import (
    LatticeFund,
    LatticeShop,
    Market,
    ProjectSpending,
    RevivalProject,
    ShopGrant,
    Subscription,
)
from markets.selectors import (
    PUBLIC_KINDS,
    communities_with_funds,
    describe,
    fund_legs,
    funds_by_community,
    lattice_fund_of_account,
    market_report,
    markets_of,
    monthly_flows,
    public_funds,
    public_markets,
    public_projects,
    public_shareholders,
    public_shops,
    standing_sales,
)
from markets.services.lattices import subscribe
from markets.services.markets import close_market, record_sale
from markets.services.projects import spend_on_project
from markets.services.shops import grant_to_shop
from stores.services.items import find_item
from yicang.community.access import require_permission
from yicang.community.models import Community
from yicang.community.scoping import get_scoped_or_404
from yicang.core.exceptions import DomainError
from yicang.core.months import this_month
from yicang.ledger.models import Account

MONTHS_SHOWN = 12
MOVEMENTS_PER_PAGE = 30
PUBLIC_SALES_SHOWN = 300


def _refused(form: Any, error: DomainError, amount_field: str) -> int:
    """Show a service's refusal on the form: on the amount when it is about the amount."""
    form.add_error(amount_field if isinstance(error, BadAmount | NotWholeShares) else None, str(error.message))
    return error.status


def _enter(
    request: HttpRequest,
    form: Any,
    amount_field: str,
    record: Callable[[dict[str, Any]], tuple[Any, bool]],
    done: Callable[[Any], str],
) -> int | None:
    """Make an entry of money from a valid form through its service (`record`).

    None when it is recorded (now, or before with the form's idempotency key): the caller redirects.
    Otherwise the status to show the form again with: 400 for bad input, the service's refusal's status.
    """
    if not form.is_valid():
        return 400
    try:
        entry, created = record(form.cleaned_data)
    except DomainError as error:
        return _refused(form, error, amount_field)
    if created:
        messages.success(request, done(entry))
    else:
        messages.info(request, _("This was recorded already (the form was sent twice); it is recorded once."))
    return None


# --- Staff pages ----------------------------------------------------------------------------------


@staff_member_required
def community_page(request: HttpRequest, code: str) -> HttpResponse:
    community = get_scoped_or_404(Community.objects.all(), request.user, code=code)
    require_permission(request.user, "markets.view_market")
    page = Paginator(markets_of(community), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "markets/staff/community.html",
        {
            "community": community,
            "page": page,
            "funds": list(LatticeFund.objects.filter(community=community).select_related("account").order_by("name")),
            "projects": list(public_projects(community)),
        },
    )


@staff_member_required
def market_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A market's report (sales per stall, proceeds, activities) and the form to record a sale."""
    market = get_scoped_or_404(Market.objects.select_related("community"), request.user, pk=pk)
    require_permission(request.user, "markets.view_market")
    status: int | None = 200
    form = SaleForm(request.POST or None, market=market)
    if request.method == "POST":
        user = require_permission(request.user, "markets.add_sale")

        def sell(data: dict[str, Any]) -> tuple[Any, bool]:
            item = find_item(data["item_code"], user=user) if data["item_code"].strip() else None
            return record_sale(
                market=market,
                stall=data["stall"],
                what=data["what"],
                price_fen=data["price"],
                item=item,
                by=user,
                idempotency_key=data["idempotency_key"],
            )

        status = _enter(request, form, "price", sell, lambda sale: _("Sale recorded: %(what)s.") % {"what": sale.what})
        if status is None:
            return redirect("markets:market", pk=market.pk)
    return render(
        request,
        "markets/staff/market.html",
        {
            "market": market,
            "community": market.community,
            "report": market_report(market),
            "form": form,
            "may_sell": request.user.has_perm("markets.add_sale") and market.is_open,
            "may_close": request.user.has_perm("markets.close_market") and market.is_open,
        },
        status=status,
    )


@staff_member_required
@require_POST
def close_page(request: HttpRequest, pk: int) -> HttpResponse:
    market = get_scoped_or_404(Market.objects.all(), request.user, pk=pk)
    close_market(market=market, by=require_permission(request.user, "markets.close_market"))
    messages.success(request, _("The market is closed: its proceeds are final."))
    return redirect("markets:market", pk=market.pk)


@staff_member_required
def fund_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A lattice fund for its managers: the full shareholder register, its shops, shares sold, grants made."""
    fund = get_scoped_or_404(LatticeFund.objects.select_related("community", "account"), request.user, pk=pk)
    require_permission(request.user, "markets.view_latticefund")
    subscription_form = SubscriptionForm(request.POST if "subscribe" in request.POST else None, fund=fund)
    grant_form = GrantForm(request.POST if "grant" in request.POST else None, fund=fund)
    refused: int | None = 200  # a POST that is neither form is shown again as a GET
    if "subscribe" in request.POST:
        user = require_permission(request.user, "markets.add_subscription")

        def buy(data: dict[str, Any]) -> tuple[Any, bool]:
            return subscribe(
                fund=fund,
                amount_fen=data["amount"],
                person_name=data["person_name"],
                enterprise=data["enterprise"],
                public_consent=data["public_consent"],
                public_name=data["public_name"],
                by=user,
                idempotency_key=data["idempotency_key"],
            )

        refused = _enter(
            request, subscription_form, "amount", buy, lambda s: _("%(n)s shares recorded.") % {"n": s.shares}
        )
    elif "grant" in request.POST:
        user = require_permission(request.user, "markets.add_shopgrant")

        def give(data: dict[str, Any]) -> tuple[Any, bool]:
            return grant_to_shop(
                shop=data["shop"],
                amount_fen=data["amount"],
                purpose=data["purpose"],
                by=user,
                idempotency_key=data["idempotency_key"],
            )

        refused = _enter(
            request, grant_form, "amount", give, lambda g: _("Grant to %(shop)s recorded.") % {"shop": g.shop}
        )
    if request.method == "POST" and refused is None:
        return redirect("markets:fund", pk=fund.pk)
    status = refused or 200
    fund.account.refresh_from_db(fields=["balance"])
    subscriptions = (
        Subscription.objects.filter(fund=fund).select_related("enterprise").order_by("-subscribed_at", "-pk")
    )
    return render(
        request,
        "markets/staff/fund.html",
        {
            "fund": fund,
            "community": fund.community,
            "subscriptions": Paginator(subscriptions, 50).get_page(request.GET.get("page")),
            "shops": list(public_shops(fund).select_related("operator", "cooperative")),
            "grants": list(ShopGrant.objects.filter(fund=fund).select_related("shop").order_by("-granted_at")[:50]),
            "subscription_form": subscription_form,
            "grant_form": grant_form,
            "may_subscribe": request.user.has_perm("markets.add_subscription"),
            "may_grant": request.user.has_perm("markets.add_shopgrant"),
        },
        status=status,
    )


@staff_member_required
def shop_page(request: HttpRequest, pk: int) -> HttpResponse:
    shop = get_scoped_or_404(
        LatticeShop.objects.select_related("community", "fund", "operator", "cooperative"), request.user, pk=pk
    )
    require_permission(request.user, "markets.view_latticeshop")
    return render(
        request,
        "markets/staff/shop.html",
        {
            "shop": shop,
            "community": shop.community,
            "members": list(shop.cooperative.memberships.select_related("resident")) if shop.cooperative else [],
            "grants": list(shop.grants.order_by("-granted_at")),
            "reports": list(shop.revenue_reports.order_by("-month")[:24]),
        },
    )


@staff_member_required
def project_page(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_scoped_or_404(RevivalProject.objects.select_related("community"), request.user, pk=pk)
    require_permission(request.user, "markets.view_revivalproject")
    form = SpendingForm(request.POST or None)
    status: int | None = 200
    if request.method == "POST":
        user = require_permission(request.user, "markets.add_projectspending")

        def spend(data: dict[str, Any]) -> tuple[Any, bool]:
            return spend_on_project(
                project=project,
                amount_fen=data["amount"],
                what=data["what"],
                by=user,
                idempotency_key=data["idempotency_key"],
            )

        status = _enter(request, form, "amount", spend, lambda x: _("Spending recorded: %(what)s.") % {"what": x.what})
        if status is None:
            return redirect("markets:project", pk=project.pk)
    # A spending reversed in the ledger stays listed but no longer counts, as on the public page.
    spendings = list(
        ProjectSpending.objects.filter(project=project)
        .annotate(reversal_id=F("transaction__reversal__id"))
        .order_by("-spent_at", "-pk")
    )
    return render(
        request,
        "markets/staff/project.html",
        {
            "project": project,
            "community": project.community,
            "spendings": spendings,
            "spent": sum(s.amount_fen for s in spendings if s.reversal_id is None),
            "form": form,
            "may_spend": request.user.has_perm("markets.add_projectspending"),
        },
        status=status,
    )


# --- Public pages ---------------------------------------------------------------------------------


def public_index_page(request: HttpRequest) -> HttpResponse:
    """The communities that keep funds, with each fund's balance; no login."""
    code = request.GET.get("c", "").strip()[:60]
    page = Paginator(communities_with_funds(code), 20).get_page(request.GET.get("page"))
    communities: list[Community] = list(page)
    funds = funds_by_community([c.pk for c in communities])
    rows = [(community, funds.get(community.pk, [])) for community in communities]
    return render(request, "markets/public/index.html", {"page": page, "rows": rows, "code": code})


def public_funds_page(request: HttpRequest, code: str) -> HttpResponse:
    """A community's funds and their balances, from the ledger; no login, no personal data."""
    community = get_object_or_404(Community, code=code)
    return render(
        request,
        "markets/public/funds.html",
        {"community": community, "funds": list(public_funds(community)), "markets": public_markets(community)},
    )


def public_market_page(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """A market's public report: what was sold and for how much, the proceeds in the ledger, the
    activities and their hosts; never who sold."""
    community = get_object_or_404(Community, code=code)
    market = get_object_or_404(Market, community=community, pk=pk)
    return render(
        request,
        "markets/public/market.html",
        {
            "community": community,
            "market": market,
            "report": market_report(market),
            "sales": list(standing_sales().filter(market=market).order_by("sold_at", "pk")[:PUBLIC_SALES_SHOWN]),
        },
    )


def public_fund_page(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """One fund: balance, money in and out by month, each movement, and its shareholders or projects."""
    community = get_object_or_404(Community, code=code)
    account = Account.objects.filter(community=community, kind__in=PUBLIC_KINDS, pk=pk).first()
    if account is None:
        raise Http404
    page = Paginator(fund_legs(account), MOVEMENTS_PER_PAGE).get_page(request.GET.get("page"))
    fund = lattice_fund_of_account(account)
    return render(
        request,
        "markets/public/fund.html",
        {
            "community": community,
            "account": account,
            "fund": fund,
            "months": monthly_flows(account, last=this_month(), months=MONTHS_SHOWN),
            "page": page,
            "movements": describe(list(page)),
            "shareholders": public_shareholders(fund) if fund else None,
            "shops": list(public_shops(fund)) if fund else [],
            "projects": list(public_projects(community)) if account.kind == Account.Kind.COMMUNITY_FUND else [],
            "markets": public_markets(community) if account.kind == Account.Kind.YICANG_FUND else [],
        },
    )
