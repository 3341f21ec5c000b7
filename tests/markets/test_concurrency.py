"""Twenty identical submissions at the same moment, on PostgreSQL: one entry, one ledger transaction."""

from collections import Counter

import pytest

from markets.models import Sale, Subscription
from markets.services.lattices import subscribe
from markets.services.markets import record_sale
from stores.models import EventKind, Item, ItemEvent
from tests.clients import api
from tests.concurrency import race
from tests.factories.markets import LatticeFundFactory, StallFactory
from tests.markets.conftest import Place, in_stock_item
from yicang.ledger.models import Account, Transaction

RACERS = 20

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres")]


def test_twenty_identical_sales_at_once_record_one_sale_and_one_transaction(here: Place) -> None:
    stall = StallFactory(market__community=here.community, seller=None)
    item = in_stock_item(here.community)

    def sell() -> object:
        return record_sale(
            market=stall.market,
            stall=stall,
            what="大米",
            price_fen=1_500,
            item=item,
            by=here.staff,
            idempotency_key="double-tap-0001",
        )

    results = race([sell] * RACERS)

    sale = Sale.objects.get()
    assert Counter(created for _row, created in results) == {True: 1, False: RACERS - 1}  # type: ignore[misc]
    assert {row for row, _created in results} == {sale}  # type: ignore[misc]
    assert Transaction.objects.count() == 1
    assert ItemEvent.objects.filter(item=item, kind=EventKind.SOLD).count() == 1
    assert Item.objects.get(pk=item.pk).status == Item.Status.SOLD
    fund = Account.objects.get(community=here.community, kind=Account.Kind.YICANG_FUND)
    assert fund.shown_balance == 1_500


def test_twenty_identical_api_calls_at_once_answer_one_201_and_nineteen_200(here: Place) -> None:
    stall = StallFactory(market__community=here.community)
    clients = [api(here.staff) for _ in range(RACERS)]
    body = {
        "market": stall.market.pk,
        "stall": stall.pk,
        "what": "儿童自行车",
        "price_fen": 12_000,
        "idempotency_key": "retry-0001",
    }

    responses = race([lambda c=c: c.post("/api/v1/market-sales/", body, format="json") for c in clients])

    assert Counter(r.status_code for r in responses) == {201: 1, 200: RACERS - 1}  # type: ignore[attr-defined]
    sale = Sale.objects.get()
    assert {r.json()["id"] for r in responses} == {sale.pk}  # type: ignore[attr-defined]
    assert Transaction.objects.count() == 1


def test_twenty_identical_subscriptions_at_once_record_one(here: Place) -> None:
    fund = LatticeFundFactory(community=here.community)

    def buy() -> object:
        return subscribe(
            fund=fund, amount_fen=200_000, person_name="陈女士", by=here.manager, idempotency_key="share-form-0001"
        )

    results = race([buy] * RACERS)

    subscription = Subscription.objects.get()
    assert Counter(created for _row, created in results) == {True: 1, False: RACERS - 1}  # type: ignore[misc]
    assert {row for row, _created in results} == {subscription}  # type: ignore[misc]
    assert Transaction.objects.count() == 1
    fund.account.refresh_from_db()
    assert fund.account.shown_balance == 200_000
