"""The staff API: records, entries of money with idempotency keys (201, then 200; 409 for other content),
bad input as 400 with a message, another community's rows as 400/404, pinned query counts."""

from collections.abc import Callable

import pytest

from markets.models import ProjectSpending, Sale, ShopGrant, ShopRevenueReport, Subscription
from markets.services.lattices import subscribe
from markets.services.markets import close_market, record_sale
from markets.services.projects import spend_on_project
from markets.services.shops import grant_to_shop
from tests.clients import api
from tests.factories.markets import (
    LatticeFundFactory,
    LatticeShopFactory,
    MarketActivityFactory,
    MarketFactory,
    RevivalProjectFactory,
    StallFactory,
    new_key,
)
from tests.markets.conftest import Place, fund_community, in_stock_item
from yicang.core.months import this_month
from yicang.ledger.models import Transaction

pytestmark = pytest.mark.django_db


def _client(user: object) -> object:
    client = api(user)  # type: ignore[arg-type]
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _sale(stall: object, **overrides: object) -> dict[str, object]:
    return {
        "market": stall.market.pk,  # type: ignore[attr-defined]
        "stall": stall.pk,  # type: ignore[attr-defined]
        "what": "旧书",
        "price_fen": 2_500,
        "idempotency_key": "pos-7-0001",
        **overrides,
    }


def test_a_sale_is_201_and_its_retry_200_with_the_same_sale(here: Place) -> None:
    stall = StallFactory(market__community=here.community)
    client = _client(here.staff)

    first = client.post("/api/v1/market-sales/", _sale(stall), format="json")  # type: ignore[attr-defined]
    retry = client.post("/api/v1/market-sales/", _sale(stall), format="json")  # type: ignore[attr-defined]

    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.json() == retry.json()
    sale = Sale.objects.get()
    assert (first.json()["id"], first.json()["price_fen"], first.json()["transaction"]) == (
        sale.pk,
        2_500,
        sale.transaction_id,
    )
    assert Transaction.objects.count() == 1


def test_the_same_key_with_other_content_is_409_and_writes_nothing(here: Place) -> None:
    stall = StallFactory(market__community=here.community)
    client = _client(here.staff)
    client.post("/api/v1/market-sales/", _sale(stall), format="json")  # type: ignore[attr-defined]

    response = client.post("/api/v1/market-sales/", _sale(stall, price_fen=2_600), format="json")  # type: ignore[attr-defined]

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_conflict"
    assert "pos-7-0001 was already used for another sale" in response.json()["detail"]
    assert Sale.objects.count() == 1
    assert Transaction.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "status", "body"),
    [
        ({"price_fen": -100}, 400, {"detail": "The price must be more than zero.", "code": "bad_amount"}),
        ({"price_fen": "12.5"}, 400, {"price_fen": ["A valid integer is required."]}),
        ({"idempotency_key": "short"}, 400, None),
        ({"item_code": "NOT-A-CODE"}, 400, {"item_code": ["No item has the code NOT-A-CODE."]}),
    ],
)
def test_bad_input_is_400_with_a_message_and_writes_nothing(
    here: Place, overrides: dict[str, object], status: int, body: dict[str, object] | None
) -> None:
    stall = StallFactory(market__community=here.community)

    response = _client(here.staff).post("/api/v1/market-sales/", _sale(stall, **overrides), format="json")  # type: ignore[attr-defined]

    assert response.status_code == status
    if body is not None:
        assert response.json() == body
    else:
        assert "An idempotency key is 8 to 100 letters" in response.json()["detail"]
    assert not Sale.objects.exists()
    assert not Transaction.objects.exists()


def test_a_sale_at_a_closed_market_is_409_and_writes_nothing(here: Place) -> None:
    stall = StallFactory(market__community=here.community)
    close_market(market=stall.market, by=here.manager)

    response = _client(here.staff).post("/api/v1/market-sales/", _sale(stall), format="json")  # type: ignore[attr-defined]

    assert response.status_code == 409
    assert response.json()["code"] == "market_closed"
    assert not Sale.objects.exists()


def test_a_store_item_already_sold_is_409(here: Place) -> None:
    stall = StallFactory(market__community=here.community, seller=None)
    item = in_stock_item(here.community)
    client = _client(here.staff)
    client.post("/api/v1/market-sales/", _sale(stall, item_code=item.code), format="json")  # type: ignore[attr-defined]

    response = client.post(  # type: ignore[attr-defined]
        "/api/v1/market-sales/", _sale(stall, item_code=item.code, idempotency_key="pos-7-0002"), format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "item_state"
    assert Sale.objects.count() == 1


def test_another_communitys_market_is_400_and_its_sales_unseen(here: Place, there: Place) -> None:
    theirs = StallFactory(market__community=there.community)
    record_sale(
        market=theirs.market, stall=theirs, what="书", price_fen=100, by=there.manager, idempotency_key=new_key()
    )
    client = _client(here.manager)

    response = client.post("/api/v1/market-sales/", _sale(theirs), format="json")  # type: ignore[attr-defined]
    listed = client.get("/api/v1/market-sales/")  # type: ignore[attr-defined]

    assert response.status_code == 400
    assert set(response.json()) == {"market", "stall"}
    assert listed.json()["count"] == 0


def test_a_subscription_is_201_then_200_and_a_part_share_400(here: Place) -> None:
    fund = LatticeFundFactory(community=here.community)
    client = _client(here.manager)
    body = {"fund": fund.pk, "amount_fen": 200_000, "person_name": "陈女士", "idempotency_key": "share-0001"}

    first = client.post("/api/v1/lattice-subscriptions/", body, format="json")  # type: ignore[attr-defined]
    retry = client.post("/api/v1/lattice-subscriptions/", body, format="json")  # type: ignore[attr-defined]
    part = client.post(  # type: ignore[attr-defined]
        "/api/v1/lattice-subscriptions/",
        {**body, "amount_fen": 250_000, "idempotency_key": "share-0002"},
        format="json",
    )

    assert (first.status_code, retry.status_code, part.status_code) == (201, 200, 400)
    assert (first.json()["shares"], first.json()["public_consent"], first.json()["public_name"]) == (2, False, "")
    assert part.json() == {
        "detail": "A share is ¥1,000.00: ¥2,500.00 is not a whole number of shares.",
        "code": "not_whole_shares",
    }
    assert Subscription.objects.count() == 1


def test_centre_staff_cannot_sell_shares_through_the_api(here: Place) -> None:
    fund = LatticeFundFactory(community=here.community)
    body = {"fund": fund.pk, "amount_fen": 100_000, "person_name": "陈", "idempotency_key": "share-0001"}

    response = _client(here.staff).post("/api/v1/lattice-subscriptions/", body, format="json")  # type: ignore[attr-defined]

    assert response.status_code == 403
    assert not Subscription.objects.exists()


def test_a_grant_beyond_the_balance_is_409_and_writes_nothing(here: Place) -> None:
    shop = LatticeShopFactory(fund=LatticeFundFactory(community=here.community))
    subscribe(fund=shop.fund, amount_fen=100_000, person_name="陈", by=here.manager, idempotency_key=new_key())
    client = _client(here.manager)
    body = {"shop": shop.pk, "amount_fen": 100_001, "purpose": "招牌", "idempotency_key": "grant-0001"}

    over = client.post("/api/v1/lattice-grants/", body, format="json")  # type: ignore[attr-defined]
    within = client.post("/api/v1/lattice-grants/", {**body, "amount_fen": 100_000}, format="json")  # type: ignore[attr-defined]

    assert (over.status_code, within.status_code) == (409, 201)
    assert over.json()["code"] == "fund_too_small"
    assert list(ShopGrant.objects.values_list("amount_fen", flat=True)) == [100_000]


def test_spending_through_the_api(here: Place) -> None:
    fund_community(here.community, 10_000)
    project = RevivalProjectFactory(community=here.community)
    body = {"project": project.pk, "amount_fen": 8_000, "what": "油漆", "idempotency_key": "spend-0001"}

    response = _client(here.manager).post("/api/v1/fund-spendings/", body, format="json")  # type: ignore[attr-defined]

    assert response.status_code == 201
    assert list(ProjectSpending.objects.values_list("what", "amount_fen")) == [("油漆", 8_000)]


def test_a_lattice_fund_made_through_the_api_has_its_account(here: Place) -> None:
    response = _client(here.manager).post(  # type: ignore[attr-defined]
        "/api/v1/lattice-funds/", {"community": here.community.pk, "name": "义坊基金"}, format="json"
    )

    assert response.status_code == 201
    assert (response.json()["name"], response.json()["balance_fen"]) == ("义坊基金", 0)
    assert response.json()["account"] is not None


def test_a_revenue_report_through_the_api_once_a_month(here: Place) -> None:
    shop = LatticeShopFactory(fund=LatticeFundFactory(community=here.community))
    client = _client(here.staff)
    body = {"community": here.community.pk, "shop": shop.pk, "month": this_month().isoformat(), "revenue_fen": 268_000}

    first = client.post("/api/v1/lattice-revenue-reports/", body, format="json")  # type: ignore[attr-defined]
    again = client.post("/api/v1/lattice-revenue-reports/", body, format="json")  # type: ignore[attr-defined]

    assert (first.status_code, again.status_code) == (201, 400)
    assert ShopRevenueReport.objects.count() == 1


def test_the_market_report_and_closing(here: Place) -> None:
    market = MarketFactory(community=here.community)
    stall = StallFactory(market=market, number=1, seller__name="吴小燕")
    MarketActivityFactory(market=market, title="义诊", host="社区医院")
    record_sale(market=market, stall=stall, what="书", price_fen=2_500, by=here.manager, idempotency_key=new_key())
    client = _client(here.manager)

    report = client.get(f"/api/v1/markets/{market.pk}/report/").json()  # type: ignore[attr-defined]
    closed = client.post(f"/api/v1/markets/{market.pk}/close/")  # type: ignore[attr-defined]
    refused = _client(here.staff).post(f"/api/v1/markets/{market.pk}/close/")  # type: ignore[attr-defined]

    assert report["stalls"] == [{"stall": stall.pk, "number": 1, "seller": "吴小燕", "sales": 1, "total_fen": 2_500}]
    assert (report["sales"], report["sales_fen"], report["proceeds_fen"], report["items_sold"]) == (1, 2_500, 2_500, 0)
    assert [(a["title"], a["host"]) for a in report["activities"]] == [("义诊", "社区医院")]
    assert (closed.status_code, closed.json()["status"], refused.status_code) == (200, "closed", 403)


def _many_sales(place: Place) -> None:
    stall = StallFactory(market__community=place.community)
    record_sale(market=stall.market, stall=stall, what="书", price_fen=100, by=place.manager, idempotency_key=new_key())


def _many_subscriptions(place: Place) -> None:
    fund = LatticeFundFactory(community=place.community)
    subscribe(fund=fund, amount_fen=100_000, person_name="陈", by=place.manager, idempotency_key=new_key())


def _many_grants(place: Place) -> None:
    shop = LatticeShopFactory(fund=LatticeFundFactory(community=place.community))
    subscribe(fund=shop.fund, amount_fen=100_000, person_name="陈", by=place.manager, idempotency_key=new_key())
    grant_to_shop(shop=shop, amount_fen=100, purpose="招牌", by=place.manager, idempotency_key=new_key())


def _many_reports(place: Place) -> None:
    shop = LatticeShopFactory(fund=LatticeFundFactory(community=place.community))
    ShopRevenueReport.objects.create(community=place.community, shop=shop, month=this_month(), revenue_fen=100)


def _many_spendings(place: Place) -> None:
    fund_community(place.community, 100)
    project = RevivalProjectFactory(community=place.community)
    spend_on_project(project=project, amount_fen=100, what="油漆", by=place.manager, idempotency_key=new_key())


def _many_activities(place: Place) -> None:
    MarketActivityFactory(market__community=place.community)


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/api/v1/markets/", _many_sales),
        ("/api/v1/market-stalls/", _many_sales),
        ("/api/v1/market-sales/", _many_sales),
        ("/api/v1/market-activities/", _many_activities),
        ("/api/v1/lattice-funds/", _many_subscriptions),
        ("/api/v1/lattice-subscriptions/", _many_subscriptions),
        ("/api/v1/lattice-shops/", _many_grants),
        ("/api/v1/lattice-grants/", _many_grants),
        ("/api/v1/lattice-revenue-reports/", _many_reports),
        ("/api/v1/fund-projects/", _many_spendings),
        ("/api/v1/fund-spendings/", _many_spendings),
    ],
)
def test_list_endpoints_have_pinned_query_counts(
    here: Place, there: Place, url: str, make: Callable[[Place], None], django_assert_max_num_queries: object
) -> None:
    client = _client(here.manager)
    for _ in range(6):
        make(here)
    make(there)

    with django_assert_max_num_queries(6):  # type: ignore[operator]
        response = client.get(url)  # type: ignore[attr-defined]
    assert response.status_code == 200
    assert response.json()["count"] >= 6
