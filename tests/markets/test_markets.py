"""Charitable markets: sales posted to the Yicang fund, store items sold, activities, the report, closing."""

import pytest
from django.urls import reverse

from markets.exceptions import BadAmount, FundTooSmall, KeyReused, MarketClosed, MarketsError, SaleVoided
from markets.models import Market, Sale
from markets.selectors import market_report
from markets.services.markets import close_market, record_sale, void_sale
from stores.exceptions import ItemNotMovable
from stores.models import EventKind, Item, ItemEvent
from tests.factories.markets import MarketActivityFactory, MarketFactory, StallFactory, new_key
from tests.markets.conftest import Place, browser, in_stock_item
from yicang.ledger.models import Account, Leg, Transaction
from yicang.ledger.services import Entry, post_transaction, reverse_transaction

pytestmark = pytest.mark.django_db


def _sell(place: Place, stall: object, price: int, what: str = "旧书", **kwargs: object) -> Sale:
    sale, _created = record_sale(
        market=stall.market,  # type: ignore[attr-defined]
        stall=stall,  # type: ignore[arg-type]
        what=what,
        price_fen=price,
        by=place.manager,
        idempotency_key=kwargs.pop("key", None) or new_key(),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )
    return sale


def _fund(place: Place) -> Account:
    return Account.objects.get(community=place.community, kind=Account.Kind.YICANG_FUND)


def test_a_sale_posts_its_price_to_the_yicang_fund(here: Place) -> None:
    stall = StallFactory(market__community=here.community)

    sale = _sell(here, stall, 2_500, what="《红岩》")

    assert (sale.what, sale.price_fen, sale.stall, sale.recorded_by) == ("《红岩》", 2_500, stall, here.manager)
    legs = sorted(Leg.objects.filter(transaction=sale.transaction).values_list("account__kind", "amount"))
    assert legs == [("cash", 2_500), ("yicang_fund", -2_500)]
    assert sale.transaction is not None
    assert sale.transaction.cause == sale
    assert _fund(here).shown_balance == 2_500


def test_a_store_item_sold_at_a_market_gets_its_sold_event_with_the_sale(here: Place) -> None:
    stall = StallFactory(market__community=here.community, seller=None)
    item = in_stock_item(here.community)

    sale = _sell(here, stall, 1_500, what="大米", item=item)

    item.refresh_from_db()
    assert item.status == Item.Status.SOLD
    assert sale.item_event is not None
    assert (sale.item_event.kind, sale.item_event.item_id, sale.item_event.by) == (
        EventKind.SOLD,
        item.pk,
        here.manager,
    )
    assert _fund(here).shown_balance == 1_500


def test_a_store_item_not_in_stock_is_refused_and_nothing_is_written(here: Place) -> None:
    stall = StallFactory(market__community=here.community, seller=None)
    item = in_stock_item(here.community)
    _sell(here, stall, 1_500, item=item)
    transactions = Transaction.objects.count()

    with pytest.raises(ItemNotMovable):
        _sell(here, stall, 1_800, item=item)

    assert Sale.objects.count() == 1
    assert Transaction.objects.count() == transactions
    assert ItemEvent.objects.filter(item=item, kind=EventKind.SOLD).count() == 1
    assert _fund(here).shown_balance == 1_500


def test_a_sale_at_a_closed_market_is_refused_and_nothing_is_written(here: Place) -> None:
    stall = StallFactory(market__community=here.community)
    close_market(market=stall.market, by=here.manager)

    with pytest.raises(MarketClosed, match="is closed: no sale can be added to it"):
        _sell(here, stall, 1_000)

    assert not Sale.objects.exists()
    assert not Transaction.objects.exists()


@pytest.mark.parametrize("price", [-500, 0])
def test_a_price_that_is_not_positive_is_refused_and_nothing_is_written(here: Place, price: int) -> None:
    stall = StallFactory(market__community=here.community)

    with pytest.raises(BadAmount, match="The price must be more than zero"):
        _sell(here, stall, price)

    assert not Sale.objects.exists()
    assert not Transaction.objects.exists()
    assert not Account.objects.exists()


def test_a_price_in_fractions_of_a_fen_is_refused(here: Place) -> None:
    stall = StallFactory(market__community=here.community)

    with pytest.raises(BadAmount, match="The price must be a whole number of fen"):
        _sell(here, stall, 12.5)  # type: ignore[arg-type]

    assert not Sale.objects.exists()


def test_a_stall_of_another_market_is_refused(here: Place) -> None:
    stall = StallFactory(market__community=here.community)
    other_market = MarketFactory(community=here.community)

    with pytest.raises(MarketsError, match="is not a stall of this market"):
        record_sale(
            market=other_market, stall=stall, what="书", price_fen=100, by=here.manager, idempotency_key=new_key()
        )

    assert not Sale.objects.exists()


def test_the_same_key_for_other_content_is_refused(here: Place) -> None:
    stall = StallFactory(market__community=here.community)
    first = _sell(here, stall, 1_000, key="stall-1-sale-0001")

    with pytest.raises(KeyReused, match="stall-1-sale-0001 was already used for another sale"):
        _sell(here, stall, 1_200, key="stall-1-sale-0001")

    assert list(Sale.objects.all()) == [first]
    assert Transaction.objects.count() == 1


def test_the_same_key_and_content_returns_the_first_sale_even_after_closing(here: Place) -> None:
    stall = StallFactory(market__community=here.community)
    first = _sell(here, stall, 1_000, key="stall-1-sale-0001")
    close_market(market=stall.market, by=here.manager)

    again, created = record_sale(
        market=stall.market,
        stall=stall,
        what="旧书",
        price_fen=1_000,
        by=here.manager,
        idempotency_key="stall-1-sale-0001",
    )

    assert (again, created) == (first, False)
    assert Transaction.objects.count() == 1


def test_the_report_counts_sales_per_stall_activities_and_the_proceeds_in_the_ledger(here: Place) -> None:
    market = MarketFactory(community=here.community)
    one = StallFactory(market=market, number=1)
    two = StallFactory(market=market, number=2, seller=None)
    StallFactory(market=market, number=3)
    clinic = MarketActivityFactory(market=market, title="义诊", host="锦江区人民医院")
    _sell(here, one, 2_500)
    mistaken = _sell(here, one, 4_000)
    _sell(here, two, 1_500, item=in_stock_item(here.community))
    assert mistaken.transaction is not None
    reverse_transaction(original=mistaken.transaction, by=here.manager, reason="登记错了")

    report = market_report(market)

    assert report.activities == [clinic]
    # The sale reversed in the ledger is left out of the report, and of what the Yicang fund holds.
    assert [(row.stall.number, row.sales, row.total_fen) for row in report.stalls] == [
        (1, 1, 2_500),
        (2, 1, 1_500),
        (3, 0, 0),
    ]
    assert (report.sales, report.sales_fen, report.items_sold, report.proceeds_fen) == (2, 4_000, 1, 4_000)


def test_closing_is_final_and_closing_again_changes_nothing(here: Place) -> None:
    market = MarketFactory(community=here.community)

    closed = close_market(market=market, by=here.manager)
    again = close_market(market=market, by=here.staff)

    assert (closed.status, closed.closed_by) == (Market.Status.CLOSED, here.manager)
    assert (again.closed_at, again.closed_by) == (closed.closed_at, here.manager)


# --- The market's staff page ----------------------------------------------------------------------


def _post_sale(client: object, market: Market, **data: object) -> object:
    return client.post(reverse("markets:market", args=[market.pk]), data)  # type: ignore[attr-defined]


def test_the_staff_page_records_a_sale_and_a_double_submit_records_it_once(here: Place) -> None:
    stall = StallFactory(market__community=here.community)
    client = browser(here.staff)
    form = {"stall": stall.pk, "what": "童装三件", "price": "30.00", "idempotency_key": new_key()}

    first = _post_sale(client, stall.market, **form)
    second = _post_sale(client, stall.market, **form)

    assert (first.status_code, second.status_code) == (302, 302)  # type: ignore[attr-defined]
    sale = Sale.objects.get()
    assert (sale.what, sale.price_fen, sale.recorded_by) == ("童装三件", 3_000, here.staff)
    assert Transaction.objects.count() == 1
    page = client.get(reverse("markets:market", args=[stall.market.pk]))
    assert "This was recorded already (the form was sent twice); it is recorded once." in page.content.decode()


def test_the_staff_page_sells_a_store_item_by_its_code(here: Place) -> None:
    stall = StallFactory(market__community=here.community, seller=None)
    item = in_stock_item(here.community)
    client = browser(here.staff)

    response = _post_sale(
        client,
        stall.market,
        stall=stall.pk,
        what="大米",
        price="15",
        item_code=item.code_display.lower(),
        idempotency_key=new_key(),
    )

    assert response.status_code == 302  # type: ignore[attr-defined]
    item.refresh_from_db()
    assert item.status == Item.Status.SOLD
    assert Sale.objects.get().item == item


@pytest.mark.parametrize(
    ("price", "item_code", "status", "message"),
    [
        ("-5", "", 400, "The price must be more than zero."),
        ("0", "", 400, "The price must be more than zero."),
        ("abc", "", 400, "Enter a number."),
        ("5", "NOT-A-CODE", 404, "No item has the code NOT-A-CODE."),
    ],
)
def test_the_staff_page_shows_bad_input_as_an_error_and_writes_nothing(
    here: Place, price: str, item_code: str, status: int, message: str
) -> None:
    stall = StallFactory(market__community=here.community)

    response = _post_sale(
        browser(here.staff),
        stall.market,
        stall=stall.pk,
        what="书",
        price=price,
        item_code=item_code,
        idempotency_key=new_key(),
    )

    assert response.status_code == status  # type: ignore[attr-defined]
    assert message in response.content.decode()  # type: ignore[attr-defined]
    assert not Sale.objects.exists()
    assert not Transaction.objects.exists()


def test_the_staff_page_refuses_a_sale_at_a_closed_market(here: Place) -> None:
    stall = StallFactory(market__community=here.community)
    close_market(market=stall.market, by=here.manager)
    client = browser(here.manager)

    response = _post_sale(client, stall.market, stall=stall.pk, what="书", price="5", idempotency_key=new_key())

    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "is closed: no sale can be added to it." in response.content.decode()  # type: ignore[attr-defined]
    assert not Sale.objects.exists()


def test_the_staff_page_closes_the_market_for_a_manager_only(here: Place) -> None:
    market = MarketFactory(community=here.community)
    url = reverse("markets:close", args=[market.pk])

    refused = browser(here.staff).post(url)
    closed = browser(here.manager).post(url)

    market.refresh_from_db()
    assert (refused.status_code, closed.status_code) == (403, 302)
    assert market.status == Market.Status.CLOSED


def test_another_communitys_market_is_not_found(here: Place, there: Place) -> None:
    stall = StallFactory(market__community=there.community)
    client = browser(here.manager)

    page = client.get(reverse("markets:market", args=[stall.market.pk]))
    post = _post_sale(client, stall.market, stall=stall.pk, what="书", price="5", idempotency_key=new_key())

    assert (page.status_code, post.status_code) == (404, 404)  # type: ignore[attr-defined]
    assert not Sale.objects.exists()


def test_the_market_page_has_a_pinned_query_count(here: Place, django_assert_max_num_queries: object) -> None:
    market = MarketFactory(community=here.community)
    for number in range(1, 6):
        stall = StallFactory(market=market, number=number)
        _sell(here, stall, 100 * number)
        MarketActivityFactory(market=market)
    client = browser(here.manager)

    with django_assert_max_num_queries(14):  # type: ignore[operator]
        assert client.get(reverse("markets:market", args=[market.pk])).status_code == 200


def test_undoing_a_sale_reverses_its_posting_and_puts_its_item_back_in_stock(here: Place) -> None:
    stall = StallFactory(market__community=here.community, seller=None)
    item = in_stock_item(here.community)
    sale = _sell(here, stall, 1_500, item=item)

    void_sale(sale=sale, by=here.manager, reason="登记错了")

    assert sale.transaction is not None
    reversal = Transaction.objects.get(reverses=sale.transaction)
    assert sorted(Leg.objects.filter(transaction=reversal).values_list("account__kind", "amount")) == [
        ("cash", -1_500),
        ("yicang_fund", 1_500),
    ]
    item.refresh_from_db()
    assert item.status == Item.Status.IN_STOCK
    assert ItemEvent.objects.filter(item=item).latest("pk").kind == EventKind.CORRECTED
    assert _fund(here).shown_balance == 0
    assert market_report(stall.market).sales == 0
    with pytest.raises(SaleVoided):
        void_sale(sale=sale, by=here.manager, reason="再来一次")


def test_a_sale_whose_money_was_spent_cannot_be_undone(here: Place) -> None:
    stall = StallFactory(market__community=here.community)
    sale = _sell(here, stall, 1_500)
    cash = Account.objects.get(community=here.community, kind=Account.Kind.CASH)
    post_transaction(
        community=here.community, entries=[Entry(_fund(here), 1_500), Entry(cash, -1_500)], reason="买米", by=None
    )

    with pytest.raises(FundTooSmall, match="The sale cannot be undone"):
        void_sale(sale=sale, by=here.manager, reason="登记错了")

    assert not Transaction.objects.filter(reverses__isnull=False).exists()


def test_the_admin_undoes_sales_with_a_reason(here: Place) -> None:
    stall = StallFactory(market__community=here.community)
    sale = _sell(here, stall, 1_500)
    client = browser(here.manager)
    url = reverse("admin:markets_sale_changelist")

    asked = client.post(url, {"action": "void_selected", "_selected_action": [sale.pk]})
    done = client.post(
        url, {"action": "void_selected", "_selected_action": [sale.pk], "apply": "1", "reason": "重复登记"}
    )
    refused = browser(here.staff).post(
        url, {"action": "void_selected", "_selected_action": [sale.pk], "apply": "1", "reason": "重复登记"}
    )

    assert (asked.status_code, done.status_code) == (200, 302)
    assert "Why are they undone?" in asked.content.decode()
    assert Transaction.objects.filter(reverses=sale.transaction).count() == 1
    assert refused.status_code == 200  # no such action for centre staff: the list again
    assert Transaction.objects.filter(reverses__isnull=False).count() == 1
