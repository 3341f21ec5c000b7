"""Reads for the market report, the staff pages and the public fund pages.

The public figures are the ledger's: a fund's balance is its account's kept balance, its money in and
out are the sums of its legs, and each movement is a leg, described by what caused it. Names of
shareholders appear only with their consent; sellers, operators and recipients never.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext as _

from markets.models import (
    SHARE_FEN,
    LatticeFund,
    LatticeShop,
    Market,
    MarketActivity,
    ProjectSpending,
    RevivalProject,
    Sale,
    ShopGrant,
    Stall,
    Subscription,
)
from yicang.community.models import Community
from yicang.core.months import add_months, month_bounds
from yicang.ledger.models import Account, Leg, Transaction

PUBLIC_KINDS = [Account.Kind.YICANG_FUND, Account.Kind.COMMUNITY_FUND, Account.Kind.LATTICE_FUND]


# --- Markets --------------------------------------------------------------------------------------


def markets_of(community: Community) -> QuerySet[Market]:
    """A community's markets, newest first, with their counts of stalls and sales and the sales' total."""
    return (
        Market.objects.in_community(community)
        .annotate(
            sale_count=Count("sales", filter=Q(sales__transaction__reversal__isnull=True)),
            sales_fen=Coalesce(Sum("sales__price_fen", filter=Q(sales__transaction__reversal__isnull=True)), 0),
        )
        .order_by("-held_on", "-pk")
    )


@dataclass(frozen=True)
class StallRow:
    stall: Stall
    sales: int
    total_fen: int


@dataclass(frozen=True)
class MarketReport:
    market: Market
    stalls: list[StallRow]
    activities: list[MarketActivity]
    sales: int
    sales_fen: int
    items_sold: int
    # What the Yicang fund received for the market's sales, from the ledger (reversals taken off).
    proceeds_fen: int


def standing_sales() -> QuerySet[Sale]:
    """Sales not undone: their ledger transaction has no reversal."""
    return Sale.objects.filter(transaction__reversal__isnull=True)


def market_report(market: Market) -> MarketReport:
    """Sales per stall, the store items sold, the activities and the proceeds in the ledger; five queries."""
    per_stall = {
        row["stall"]: row
        for row in standing_sales()
        .filter(market=market)
        .order_by()
        .values("stall")
        .annotate(n=Count("pk"), total=Sum("price_fen"), items=Count("item"))
    }
    stalls = [
        StallRow(
            stall=stall,
            sales=per_stall.get(stall.pk, {}).get("n", 0),
            total_fen=per_stall.get(stall.pk, {}).get("total") or 0,
        )
        for stall in Stall.objects.filter(market=market).select_related("seller").order_by("number")
    ]
    return MarketReport(
        market=market,
        stalls=stalls,
        activities=list(MarketActivity.objects.filter(market=market).order_by("kind", "pk")),
        sales=sum(row["n"] for row in per_stall.values()),
        sales_fen=sum(row["total"] or 0 for row in per_stall.values()),
        items_sold=sum(row["items"] for row in per_stall.values()),
        proceeds_fen=market_proceeds([market.pk]).get(market.pk, 0),
    )


def market_proceeds(market_ids: list[int]) -> dict[int, int]:
    """What the Yicang fund holds from each market's sales, from the ledger's legs; one query.

    A sale's transaction reversed in the ledger counts with its reversal, so a mistaken sale undone
    by the book is not counted as money raised.
    """
    sales = Sale.objects.filter(market_id__in=market_ids).values("transaction")
    of_sale = Sale.objects.filter(transaction=OuterRef("transaction_id")).values("market_id")[:1]
    of_reversed_sale = Sale.objects.filter(transaction=OuterRef("transaction__reverses_id")).values("market_id")[:1]
    rows = (
        Leg.objects.filter(account__kind=Account.Kind.YICANG_FUND)
        .filter(Q(transaction__in=sales) | Q(transaction__reverses__in=sales))
        .annotate(market=Coalesce(Subquery(of_sale), Subquery(of_reversed_sale)))
        .order_by()
        .values("market")
        .annotate(total=Sum("amount"))
    )
    return {row["market"]: -int(row["total"]) for row in rows}


# --- Public fund pages ----------------------------------------------------------------------------


def public_funds(community: Community) -> QuerySet[Account]:
    """The community's funds people may follow: the Yicang fund, the community fund, its lattice funds."""
    return Account.objects.filter(community=community, kind__in=PUBLIC_KINDS).order_by("kind", "name", "pk")


def communities_with_funds(code: str = "") -> QuerySet[Community]:
    """Communities that keep a public fund, in place order (most of the 2,600 have none yet)."""
    communities = Community.objects.filter(
        pk__in=Account.objects.filter(kind__in=PUBLIC_KINDS).values("community_id")
    ).order_by("province", "city", "district", "street", "name", "pk")
    return communities.filter(code=code) if code else communities


def funds_by_community(community_ids: list[int]) -> dict[int, list[Account]]:
    """The public funds of each of these communities; one query."""
    funds: dict[int, list[Account]] = defaultdict(list)
    for account in Account.objects.filter(community_id__in=community_ids, kind__in=PUBLIC_KINDS).order_by(
        "kind", "name", "pk"
    ):
        funds[account.community_id].append(account)
    return funds


@dataclass(frozen=True)
class MonthFlow:
    month: date
    money_in: int
    money_out: int


def monthly_flows(account: Account, *, last: date, months: int) -> list[MonthFlow]:
    """Money into and out of a fund per month, `months` months up to `last`, oldest first; one query.

    Sums of the account's legs: a credit is money in, a debit money out (funds hold credits).
    """
    first = add_months(last, 1 - months)
    start, end = month_bounds(first)[0], month_bounds(last)[1]
    rows = (
        Leg.objects.filter(account=account, posted_at__gte=start, posted_at__lt=end)
        .annotate(month=TruncMonth("posted_at"))
        .order_by()
        .values("month")
        .annotate(
            debits=Coalesce(Sum("amount", filter=Q(amount__gt=0)), 0),
            credits=Coalesce(Sum("amount", filter=Q(amount__lt=0)), 0),
        )
    )
    by_month = {row["month"].date(): row for row in rows}
    flows = []
    for offset in range(months):
        month = add_months(first, offset)
        row = by_month.get(month, {"debits": 0, "credits": 0})
        flows.append(MonthFlow(month=month, money_in=-row["credits"], money_out=row["debits"]))
    return flows


@dataclass
class Movement:
    """One leg of a fund as the public sees it: when, how much in or out, and what it was for."""

    at: Any
    amount: int  # as the fund reads it: positive in, negative out
    what: str
    detail: str = ""


def fund_legs(account: Account) -> QuerySet[Leg]:
    return Leg.objects.filter(account=account).select_related("transaction").order_by("-posted_at", "-pk")


def describe(legs: list[Leg]) -> list[Movement]:
    """Each leg with what caused it, names only by consent; one query per kind of cause on the page.

    A posting with no cause in this app (money given to the fund at the centre, a purchase) says only
    that it was money in or out: its free-text reason is the centre's and may name a family.
    """
    wanted: dict[int, set[int]] = defaultdict(set)
    for leg in legs:
        if leg.transaction.cause_type_id is not None and leg.transaction.cause_id is not None:
            wanted[leg.transaction.cause_type_id].add(leg.transaction.cause_id)
    found: dict[tuple[int, int], tuple[str, str]] = {}
    sources: list[tuple[type[Any], Callable[[Any], tuple[str, str]], list[str]]] = [
        (Sale, _sale_text, ["market"]),
        (Subscription, _subscription_text, []),
        (ShopGrant, _grant_text, ["shop"]),
        (ProjectSpending, _spending_text, ["project"]),
    ]
    for model, describe_row, related in sources:
        type_id = ContentType.objects.get_for_model(model).pk
        if wanted.get(type_id):
            rows = model._default_manager.filter(pk__in=wanted[type_id]).select_related(*related)
            for row in rows:
                found[(type_id, row.pk)] = describe_row(row)
    movements = []
    for leg in legs:
        txn: Transaction = leg.transaction
        amount = -leg.amount
        if txn.reverses_id is not None:
            what, detail = _("Correction"), _("Reversal of an earlier entry")
        elif (txn.cause_type_id, txn.cause_id) in found:
            what, detail = found[(txn.cause_type_id, txn.cause_id)]  # type: ignore[index]
        else:
            what, detail = (_("Money in") if amount > 0 else _("Money out")), ""
        movements.append(Movement(at=leg.posted_at, amount=amount, what=what, detail=detail))
    return movements


def _sale_text(sale: Sale) -> tuple[str, str]:
    return _("Charitable market sale"), f"{sale.market.title} · {sale.what}"


def _subscription_text(subscription: Subscription) -> tuple[str, str]:
    name = subscription.public_name if subscription.public_consent else _("a shareholder who prefers not to be named")
    return _("Shares bought"), _("%(shares)s × ¥1,000 by %(name)s") % {"shares": subscription.shares, "name": name}


def _grant_text(grant: ShopGrant) -> tuple[str, str]:
    return _("Grant to a lattice shop"), f"{grant.shop.name} · {grant.purpose}"


def _spending_text(spending: ProjectSpending) -> tuple[str, str]:
    return _("Idle-asset project"), f"{spending.project.title} · {spending.what}"


@dataclass
class Shareholders:
    named: list[tuple[str, int]] = field(default_factory=list)  # (public name, shares), most shares first
    unnamed_count: int = 0
    unnamed_shares: int = 0

    @property
    def total_shares(self) -> int:
        return sum(shares for _name, shares in self.named) + self.unnamed_shares


def public_shareholders(fund: LatticeFund) -> Shareholders:
    """The shareholder register as the public sees it; shares from the amounts the ledger holds. One query.

    A subscription whose posting was reversed in the ledger is left out.
    """
    rows = (
        Subscription.objects.filter(fund=fund, transaction__reversal__isnull=True)
        .order_by()
        .values("public_consent", "public_name")
        .annotate(
            fen=Sum("transaction__legs__amount", filter=Q(transaction__legs__account=fund.account_id)),
            subscriptions=Count("pk", distinct=True),
        )
    )
    register = Shareholders()
    for row in rows:
        shares = -int(row["fen"] or 0) // SHARE_FEN
        if row["public_consent"]:
            register.named.append((row["public_name"], shares))
        else:
            register.unnamed_count += row["subscriptions"]
            register.unnamed_shares += shares
    register.named.sort(key=lambda pair: (-pair[1], pair[0]))
    return register


def lattice_fund_of_account(account: Account) -> LatticeFund | None:
    if account.kind != Account.Kind.LATTICE_FUND:
        return None
    return LatticeFund.objects.filter(account=account).first()


def public_shops(fund: LatticeFund) -> QuerySet[LatticeShop]:
    """A fund's shops with what the fund granted each (from the ledger, reversed grants left out); no operator."""
    return (
        LatticeShop.objects.filter(fund=fund)
        .annotate(
            granted_fen=Coalesce(
                Sum(
                    "grants__transaction__legs__amount",
                    filter=Q(
                        grants__transaction__legs__account=fund.account_id,
                        grants__transaction__reversal__isnull=True,
                    ),
                ),
                0,
            )
        )
        .order_by("name", "pk")
    )


def public_projects(community: Community) -> QuerySet[RevivalProject]:
    """The community fund's projects with what each spent from the fund (from the ledger, reversals left out)."""
    return (
        RevivalProject.objects.in_community(community)
        .annotate(
            spent_fen=Coalesce(
                Sum(
                    "spendings__transaction__legs__amount",
                    filter=Q(
                        spendings__transaction__legs__account__kind=Account.Kind.COMMUNITY_FUND,
                        spendings__transaction__reversal__isnull=True,
                    ),
                ),
                0,
            )
        )
        .order_by("-started_on", "pk")
    )


def public_markets(community: Community) -> list[tuple[Market, int]]:
    """The community's markets with the Yicang fund's proceeds of each, newest first; two queries."""
    markets = list(Market.objects.in_community(community).order_by("-held_on", "-pk")[:24])
    proceeds = market_proceeds([m.pk for m in markets])
    return [(market, proceeds.get(market.pk, 0)) for market in markets]
