"""Use cases of markets, lattice funds and the community fund's projects.

Every entry of money (a sale, a share subscription, a grant to a shop, a project's spending) is one
row and one ledger transaction, written together or not at all, under an idempotency key that is
unique in its community: the same key with the same content returns the first row, with other content
it is a KeyReused conflict. Each locks its parent row (the market, the fund, the project) first, so
entries of one parent are taken one at a time and a market cannot close in the middle of a sale.
"""

from datetime import datetime
from typing import Any, TypeVar, cast

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from donors.models import AssistantEnterprise
from markets.exceptions import (
    BadAmount,
    FundTooSmall,
    KeyReused,
    MarketClosed,
    MarketsError,
    NotWholeShares,
    OtherCommunity,
    ProjectFinished,
    SaleVoided,
)
from markets.models import (
    SHARE_FEN,
    LatticeFund,
    LatticeShop,
    Market,
    MoneyEntry,
    ProjectSpending,
    RevivalProject,
    Sale,
    ShopGrant,
    Stall,
    Subscription,
)
from markets.models.base import KEY_PATTERN, key_validator
from stores.models import EventKind, Item
from stores.services.items import record_event
from yicang.community.models import Community, Resident, User
from yicang.core.text import PUBLIC_TEXT
from yicang.ledger.exceptions import AlreadyReversed, InsufficientBalance
from yicang.ledger.models import Account, Transaction
from yicang.ledger.services import Entry, post_transaction, reverse_transaction
from yicang.ledger.units import format_amount

E = TypeVar("E", bound=MoneyEntry)

# A market takes sales of up to CNY 100,000 each: more is a typing mistake, not a used bicycle.
MAX_PRICE_FEN = 10_000_000
# A lattice fund takes up to 1,000 shares at once.
MAX_SHARES = 1_000


# --- Accounts -------------------------------------------------------------------------------------


def cash_of(community: Community) -> Account:
    """The community's cash account (the first, if it keeps several), opened on first use."""
    account = Account.objects.filter(community=community, kind=Account.Kind.CASH).order_by("pk").first()
    if account is not None:
        return account
    # Cash accounts are not one per community in the ledger, so two first entries at once are kept
    # from opening two by the community's row lock.
    Community.objects.select_for_update().get(pk=community.pk)
    account = Account.objects.filter(community=community, kind=Account.Kind.CASH).order_by("pk").first()
    return account or Account.objects.create(community=community, kind=Account.Kind.CASH, name="现金")


def yicang_fund_of(community: Community) -> Account:
    """The community's Yicang fund, opened on first use (one per community, by a unique key)."""
    account, _created = Account.objects.get_or_create(
        community=community, kind=Account.Kind.YICANG_FUND, defaults={"name": "义仓基金"}
    )
    return account


def community_fund_of(community: Community) -> Account:
    """The community fund, opened on first use (one per community, by a unique key)."""
    account, _created = Account.objects.get_or_create(
        community=community, kind=Account.Kind.COMMUNITY_FUND, defaults={"name": "社区基金"}
    )
    return account


def shop_account_of(shop: LatticeShop) -> Account:
    """The account of a shop's grants, owned by the shop and opened on its first grant."""
    account, _created = Account.objects.get_or_create(
        owner_type=ContentType.objects.get_for_model(LatticeShop),
        owner_id=shop.pk,
        kind=Account.Kind.GRANT,
        defaults={"community_id": shop.community_id, "name": f"义坊 · {shop.name}"[:120]},
    )
    return account


# --- Shared checks --------------------------------------------------------------------------------


def _key(key: str) -> str:
    key = (key or "").strip()
    if not KEY_PATTERN.fullmatch(key):
        raise MarketsError(key_validator.message)
    return key


def _amount(amount: Any, what: str, *, maximum: int | None = None) -> int:
    if type(amount) is not int:
        raise BadAmount(_("%(what)s must be a whole number of fen.") % {"what": what})
    if amount <= 0:
        raise BadAmount(_("%(what)s must be more than zero.") % {"what": what})
    if maximum is not None and amount > maximum:
        raise BadAmount(
            _("%(what)s of %(amount)s is more than this accepts (%(max)s): check the figure.")
            % {"what": what, "amount": format_amount(amount, "CNY"), "max": format_amount(maximum, "CNY")}
        )
    return amount


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise MarketsError(_("Say %(what)s.") % {"what": what})
    return _public(value)


def _public(value: str) -> str:
    """Text the fund pages show to anyone: plain, and without anyone's phone, e-mail or ID number."""
    for validate in PUBLIC_TEXT:
        try:
            validate(value)
        except ValidationError as error:
            raise MarketsError(error.messages[0]) from None
    return value


def _earlier(model: type[E], community_id: int, key: str, content: dict[str, Any]) -> E | None:
    """The entry made before with this key, if its content is the same; KeyReused if it is not."""
    # The stubs know the manager of the abstract base only.
    earlier = cast("E | None", model._default_manager.filter(community_id=community_id, idempotency_key=key).first())
    if earlier is None:
        return None
    if any(getattr(earlier, field) != value for field, value in content.items()):
        raise KeyReused(
            _("The key %(key)s was already used for another %(what)s (#%(pk)s); nothing was recorded.")
            % {"key": key, "what": model._meta.verbose_name, "pk": earlier.pk}
        )
    return earlier


def _insert(entry: E, content: dict[str, Any]) -> tuple[E, bool]:
    """Save a new entry, or find the one a concurrent submission with the same key saved first."""
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        earlier = _earlier(type(entry), entry.community_id, entry.idempotency_key, content)
        if earlier is None:
            raise
        return earlier, False
    return entry, True


def _same_community(community_id: int, *others: Any) -> None:
    for other in others:
        if other is not None and other.community_id != community_id:
            raise OtherCommunity(_("%(name)s belongs to another community.") % {"name": other})


# --- Markets --------------------------------------------------------------------------------------


@transaction.atomic
def record_sale(
    *,
    market: Market,
    stall: Stall,
    what: str,
    price_fen: int,
    by: User,
    idempotency_key: str,
    item: Item | None = None,
    at: datetime | None = None,
) -> tuple[Sale, bool]:
    """Record one thing sold at a stall, and post its price to the Yicang fund: `cash +p, fund -p`.

    A store item sold gets its "sold" event in the same transaction. Returns the sale and whether it
    was recorded now (False: the key's earlier sale). Raises BadAmount, MarketsError, OtherCommunity,
    MarketClosed, KeyReused, or the store's ItemNotMovable (the item is not in stock); nothing is
    written then.
    """
    key = _key(idempotency_key)
    price_fen = _amount(price_fen, _("The price"), maximum=MAX_PRICE_FEN)
    what = _text(what, _("what was sold"))
    market = Market.objects.select_for_update().select_related("community").get(pk=market.pk)
    content = {
        "market_id": market.pk,
        "stall_id": stall.pk,
        "what": what,
        "price_fen": price_fen,
        "item_id": item.pk if item else None,
    }
    if (earlier := _earlier(Sale, market.community_id, key, content)) is not None:
        return earlier, False
    if not market.is_open:
        raise MarketClosed(_("%(market)s is closed: no sale can be added to it.") % {"market": market})
    if stall.market_id != market.pk:
        raise MarketsError(_("%(stall)s is not a stall of this market.") % {"stall": stall})
    _same_community(market.community_id, item)
    when = at or timezone.now()
    # The item's event first: the sale's row names it (a check constraint), and the item's lock
    # makes a second sale of the same item wait, then find it sold.
    event = None
    if item is not None:
        event = record_event(
            item=item, kind=EventKind.SOLD, by=by, reason=_("Sold at %(market)s") % {"market": market.title}
        )
    sale, created = _insert(
        Sale(
            community=market.community,
            market=market,
            stall=stall,
            what=what,
            price_fen=price_fen,
            item=item,
            item_event=event,
            sold_at=when,
            recorded_by=by,
            idempotency_key=key,
        ),
        content,
    )
    if not created:
        # Another market's sale took the key at the same moment (this market's are taken one at a time).
        raise KeyReused(_("The key %(key)s was already used for another sale; nothing was recorded.") % {"key": key})
    sale.transaction = post_transaction(
        community=market.community,
        entries=[Entry(cash_of(market.community), price_fen), Entry(yicang_fund_of(market.community), -price_fen)],
        reason=_("Charitable market %(market)s: %(what)s") % {"market": market.title, "what": what},
        by=by,
        posted_at=when,
        cause=sale,
        idempotency_key=f"markets.sale.{sale.pk}",
    )
    sale.save(update_fields=["transaction"])
    return sale, True


@transaction.atomic
def void_sale(*, sale: Sale, by: User, reason: str) -> Sale:
    """Undo a sale recorded by mistake: reverse its ledger transaction, and put a store item it sold
    back in stock (a "corrected" event). The sale's row stays, as the reversal refers to it; reports leave
    it out. Raises MarketsError (no reason), SaleVoided or FundTooSmall (the money has since been
    spent); nothing is written then.
    """
    reason = _text(reason, _("why the sale is undone"))
    sale = Sale.objects.select_for_update(of=("self",)).select_related("item").get(pk=sale.pk)
    assert sale.transaction_id is not None  # written with the sale, in the same transaction
    if Transaction.objects.filter(reverses_id=sale.transaction_id).exists():
        raise SaleVoided(_("This sale was already undone."))
    try:
        reverse_transaction(
            original=Transaction.objects.get(pk=sale.transaction_id),
            by=by,
            reason=_("Sale undone: %(reason)s") % {"reason": reason},
        )
    except AlreadyReversed as error:
        raise SaleVoided(_("This sale was already undone.")) from error
    except InsufficientBalance as error:
        raise FundTooSmall(_("The sale cannot be undone: %(why)s") % {"why": error.message}) from error
    if sale.item is not None:
        record_event(item=sale.item, kind=EventKind.CORRECTED, by=by, reason=reason)
    return sale


@transaction.atomic
def close_market(*, market: Market, by: User) -> Market:
    """Close a market to sales; its proceeds are final. Closing a closed market changes nothing."""
    market = Market.objects.select_for_update().get(pk=market.pk)
    if market.is_open:
        market.status = Market.Status.CLOSED
        market.closed_at = timezone.now()
        market.closed_by = by
        market.save(update_fields=["status", "closed_at", "closed_by"])
    return market


# --- Lattice funds --------------------------------------------------------------------------------


@transaction.atomic
def open_lattice_fund(*, community: Community, name: str, purpose: str = "") -> LatticeFund:
    """Start a lattice fund with its own lattice-fund account in the ledger, owned by the fund."""
    name = _text(name, _("the fund's name"))
    if LatticeFund.objects.filter(community=community, name=name).exists():
        raise MarketsError(
            _("%(community)s already has a fund called %(name)s.") % {"community": community, "name": name}
        )
    account = Account.objects.create(community=community, kind=Account.Kind.LATTICE_FUND, name=name[:120])
    fund = LatticeFund.objects.create(community=community, name=name, purpose=_public(purpose.strip()), account=account)
    account.owner_type = ContentType.objects.get_for_model(LatticeFund)
    account.owner_id = fund.pk
    account.save(update_fields=["owner_type", "owner_id"])
    return fund


@transaction.atomic
def subscribe(
    *,
    fund: LatticeFund,
    amount_fen: int,
    by: User,
    idempotency_key: str,
    person_name: str = "",
    resident: Resident | None = None,
    enterprise: AssistantEnterprise | None = None,
    public_consent: bool = False,
    public_name: str = "",
    at: datetime | None = None,
) -> tuple[Subscription, bool]:
    """Sell shares of CNY 1,000 of a lattice fund to a person or an assistant enterprise.

    Posts `cash +amount, lattice fund -amount`. The shareholder is named publicly only with consent,
    under `public_name` (the person's or enterprise's own name when left empty). Returns the
    subscription and whether it was recorded now. Raises BadAmount, NotWholeShares, MarketsError,
    OtherCommunity or KeyReused; nothing is written then.
    """
    key = _key(idempotency_key)
    amount_fen = _amount(amount_fen, _("The amount"), maximum=MAX_SHARES * SHARE_FEN)
    if amount_fen % SHARE_FEN:
        raise NotWholeShares(
            _("A share is %(share)s: %(amount)s is not a whole number of shares.")
            % {"share": format_amount(SHARE_FEN, "CNY"), "amount": format_amount(amount_fen, "CNY")}
        )
    if (enterprise is None) == (not (person_name or "").strip() and resident is None):
        raise MarketsError(_("A shareholder is a person (give the name) or an assistant enterprise, not both."))
    fund = LatticeFund.objects.select_for_update().select_related("community", "account").get(pk=fund.pk)
    _same_community(fund.community_id, resident, enterprise)
    kind = Subscription.Kind.ENTERPRISE if enterprise is not None else Subscription.Kind.INDIVIDUAL
    person_name = "" if enterprise is not None else ((person_name or "").strip() or (resident.name if resident else ""))
    public_name = _public((public_name or "").strip()[:80]) if public_consent else ""
    if public_consent and not public_name:
        public_name = (enterprise.name if enterprise is not None else person_name)[:80]
    content = {
        "fund_id": fund.pk,
        "amount_fen": amount_fen,
        "kind": kind,
        "person_name": person_name,
        "resident_id": resident.pk if resident else None,
        "enterprise_id": enterprise.pk if enterprise else None,
        "public_consent": public_consent,
        "public_name": public_name,
    }
    if (earlier := _earlier(Subscription, fund.community_id, key, content)) is not None:
        return earlier, False
    when = at or timezone.now()
    shares = amount_fen // SHARE_FEN
    subscription, created = _insert(
        Subscription(
            community=fund.community,
            fund=fund,
            kind=kind,
            person_name=person_name,
            resident=resident,
            enterprise=enterprise,
            shares=shares,
            amount_fen=amount_fen,
            subscribed_at=when,
            public_consent=public_consent,
            public_name=public_name,
            recorded_by=by,
            idempotency_key=key,
        ),
        content,
    )
    if not created:
        return subscription, False
    subscription.transaction = post_transaction(
        community=fund.community,
        entries=[Entry(cash_of(fund.community), amount_fen), Entry(fund.account, -amount_fen)],
        reason=_("%(fund)s: %(shares)s shares") % {"fund": fund.name, "shares": shares},
        by=by,
        posted_at=when,
        cause=subscription,
        idempotency_key=f"markets.subscription.{subscription.pk}",
    )
    subscription.save(update_fields=["transaction"])
    return subscription, True


@transaction.atomic
def grant_to_shop(
    *,
    shop: LatticeShop,
    amount_fen: int,
    purpose: str,
    by: User,
    idempotency_key: str,
    at: datetime | None = None,
) -> tuple[ShopGrant, bool]:
    """Grant money from a shop's lattice fund to the shop: `lattice fund +amount, shop's account -amount`.

    Returns the grant and whether it was made now. Raises BadAmount, MarketsError, FundTooSmall (the fund
    holds less) or KeyReused; nothing is written then.
    """
    key = _key(idempotency_key)
    amount_fen = _amount(amount_fen, _("The grant"))
    purpose = _text(purpose, _("what the grant is for"))
    fund = LatticeFund.objects.select_for_update().select_related("community", "account").get(pk=shop.fund_id)
    content = {"shop_id": shop.pk, "amount_fen": amount_fen, "purpose": purpose}
    if (earlier := _earlier(ShopGrant, fund.community_id, key, content)) is not None:
        return earlier, False
    when = at or timezone.now()
    grant, created = _insert(
        ShopGrant(
            community=fund.community,
            shop=shop,
            fund=fund,
            amount_fen=amount_fen,
            purpose=purpose,
            granted_at=when,
            recorded_by=by,
            idempotency_key=key,
        ),
        content,
    )
    if not created:
        return grant, False
    try:
        grant.transaction = post_transaction(
            community=fund.community,
            entries=[Entry(fund.account, amount_fen), Entry(shop_account_of(shop), -amount_fen)],
            reason=_("Grant to the lattice shop %(shop)s: %(purpose)s") % {"shop": shop.name, "purpose": purpose},
            by=by,
            posted_at=when,
            cause=grant,
            idempotency_key=f"markets.shopgrant.{grant.pk}",
        )
    except InsufficientBalance as error:
        # Raised inside our transaction: the grant's row and the shop's new account go with it.
        raise FundTooSmall(
            _("%(fund)s holds %(balance)s: a grant of %(amount)s would overdraw it.")
            % {
                "fund": fund.name,
                "balance": format_amount(fund.account.shown_balance, "CNY"),
                "amount": format_amount(amount_fen, "CNY"),
            }
        ) from error
    grant.save(update_fields=["transaction"])
    return grant, True


# --- The community fund's projects ----------------------------------------------------------------


@transaction.atomic
def spend_on_project(
    *,
    project: RevivalProject,
    amount_fen: int,
    what: str,
    by: User,
    idempotency_key: str,
    at: datetime | None = None,
) -> tuple[ProjectSpending, bool]:
    """Pay something a project bought from the community fund: `community fund +amount, cash -amount`.

    Returns the spending and whether it was recorded now. Raises BadAmount, MarketsError,
    ProjectFinished, FundTooSmall or KeyReused; nothing is written then.
    """
    key = _key(idempotency_key)
    amount_fen = _amount(amount_fen, _("The amount"))
    what = _text(what, _("what the money paid for"))
    project = RevivalProject.objects.select_for_update().select_related("community").get(pk=project.pk)
    content = {"project_id": project.pk, "amount_fen": amount_fen, "what": what}
    if (earlier := _earlier(ProjectSpending, project.community_id, key, content)) is not None:
        return earlier, False
    if project.status != RevivalProject.Status.ACTIVE:
        raise ProjectFinished(_("%(project)s is finished: it spends no more.") % {"project": project})
    when = at or timezone.now()
    spending, created = _insert(
        ProjectSpending(
            community=project.community,
            project=project,
            what=what,
            amount_fen=amount_fen,
            spent_at=when,
            recorded_by=by,
            idempotency_key=key,
        ),
        content,
    )
    if not created:
        return spending, False
    fund = community_fund_of(project.community)
    try:
        spending.transaction = post_transaction(
            community=project.community,
            entries=[Entry(fund, amount_fen), Entry(cash_of(project.community), -amount_fen)],
            reason=_("%(project)s: %(what)s") % {"project": project.title, "what": what},
            by=by,
            posted_at=when,
            cause=spending,
            idempotency_key=f"markets.projectspending.{spending.pk}",
        )
    except InsufficientBalance as error:
        raise FundTooSmall(
            _("%(amount)s was not spent: %(why)s") % {"amount": format_amount(amount_fen, "CNY"), "why": error.message}
        ) from error
    spending.save(update_fields=["transaction"])
    return spending, True
