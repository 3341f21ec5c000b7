"""Charitable markets: their sales, undoing a sale, closing a market."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from markets.exceptions import FundTooSmall, KeyReused, MarketClosed, MarketsError, SaleVoided
from markets.models import Market, Sale, Stall
from markets.services.common import (
    cash_of,
    clean_amount,
    clean_key,
    clean_text,
    earlier_entry,
    insert_entry,
    require_same_community,
    yicang_fund_of,
)
from stores.models import EventKind, Item
from stores.services.items import record_event
from yicang.community.models import User
from yicang.ledger.exceptions import AlreadyReversed, InsufficientBalance
from yicang.ledger.models import Transaction
from yicang.ledger.services import Entry, post_transaction, reverse_transaction

# A market takes sales of up to CNY 100,000 each: more is a typing mistake, not a used bicycle.
MAX_PRICE_FEN = 10_000_000


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
    key = clean_key(idempotency_key)
    price_fen = clean_amount(price_fen, _("The price"), maximum=MAX_PRICE_FEN)
    what = clean_text(what, _("what was sold"))
    market = Market.objects.select_for_update().select_related("community").get(pk=market.pk)
    content = {
        "market_id": market.pk,
        "stall_id": stall.pk,
        "what": what,
        "price_fen": price_fen,
        "item_id": item.pk if item else None,
    }
    if (earlier := earlier_entry(Sale, market.community_id, key, content)) is not None:
        return earlier, False
    if not market.is_open:
        raise MarketClosed(_("%(market)s is closed: no sale can be added to it.") % {"market": market})
    if stall.market_id != market.pk:
        raise MarketsError(_("%(stall)s is not a stall of this market.") % {"stall": stall})
    require_same_community(market.community_id, item)
    when = at or timezone.now()
    # The item's event first: the sale's row names it (a check constraint), and the item's lock
    # makes a second sale of the same item wait, then find it sold.
    event = None
    if item is not None:
        event = record_event(
            item=item, kind=EventKind.SOLD, by=by, reason=_("Sold at %(market)s") % {"market": market.title}
        )
    sale, created = insert_entry(
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
    reason = clean_text(reason, _("why the sale is undone"))
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
