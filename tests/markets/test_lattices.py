"""Lattice funds: shares of CNY 1,000, the shareholder register, shops, grants and revenue reports."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from markets.exceptions import BadAmount, FundTooSmall, KeyReused, MarketsError, NotWholeShares
from markets.models import LatticeFund, LatticeShop, ShopGrant, ShopRevenueReport, Subscription
from markets.services.lattices import subscribe
from markets.services.shops import grant_to_shop
from tests.factories import ResidentFactory
from tests.factories.donors import AssistantEnterpriseFactory
from tests.factories.markets import CooperativeFactory, LatticeFundFactory, LatticeShopFactory, new_key
from tests.markets.conftest import Place, browser
from yicang.core.months import this_month
from yicang.ledger.models import Account, Leg, Transaction

pytestmark = pytest.mark.django_db


def _buy(place: Place, fund: LatticeFund, fen: int, **kwargs: object) -> Subscription:
    kwargs.setdefault("person_name", "刘建国")
    subscription, _created = subscribe(
        fund=fund,
        amount_fen=fen,
        by=place.manager,
        idempotency_key=kwargs.pop("key", None) or new_key(),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )
    return subscription


def test_opening_a_fund_opens_its_own_lattice_fund_account(here: Place) -> None:
    fund = LatticeFundFactory(community=here.community, name="水井坊义坊基金")

    assert (fund.account.kind, fund.account.name, fund.account.community) == (
        Account.Kind.LATTICE_FUND,
        "水井坊义坊基金",
        here.community,
    )
    assert fund.account.owner == fund


def test_whole_shares_are_posted_from_cash_to_the_funds_account(here: Place) -> None:
    fund = LatticeFundFactory(community=here.community)

    subscription = _buy(here, fund, 300_000, public_consent=True)

    assert (subscription.shares, subscription.amount_fen, subscription.kind) == (
        3,
        300_000,
        Subscription.Kind.INDIVIDUAL,
    )
    assert (subscription.person_name, subscription.public_name) == ("刘建国", "刘建国")
    legs = sorted(Leg.objects.filter(transaction=subscription.transaction).values_list("account__kind", "amount"))
    assert legs == [("cash", 300_000), ("lattice_fund", -300_000)]
    fund.account.refresh_from_db()
    assert fund.account.shown_balance == 300_000


def test_an_enterprise_subscribes_under_its_own_name_when_it_consents(here: Place) -> None:
    fund = LatticeFundFactory(community=here.community)
    enterprise = AssistantEnterpriseFactory(community=here.community, name="蜀都超市")

    subscription = _buy(here, fund, 500_000, person_name="", enterprise=enterprise, public_consent=True)

    assert (subscription.kind, subscription.enterprise, subscription.person_name) == ("enterprise", enterprise, "")
    assert (subscription.shares, subscription.public_name) == (5, "蜀都超市")


@pytest.mark.parametrize(
    ("fen", "error"), [(150_000, NotWholeShares), (99_999, NotWholeShares), (0, BadAmount), (-100_000, BadAmount)]
)
def test_an_amount_that_is_not_whole_shares_is_refused_and_nothing_is_written(
    here: Place, fen: int, error: type[Exception]
) -> None:
    fund = LatticeFundFactory(community=here.community)

    with pytest.raises(error) as raised:
        _buy(here, fund, fen)

    if error is NotWholeShares:
        assert (
            str(raised.value)
            == f"A share is ¥1,000.00: ¥{fen // 100:,}.{fen % 100:02d} is not a whole number of shares."
        )
    assert not Subscription.objects.exists()
    assert not Transaction.objects.exists()


def test_a_shareholder_is_a_person_or_an_enterprise(here: Place) -> None:
    fund = LatticeFundFactory(community=here.community)

    with pytest.raises(MarketsError, match="A shareholder is a person"):
        _buy(here, fund, 100_000, person_name="")

    assert not Subscription.objects.exists()


def test_the_database_refuses_an_amount_that_is_not_its_shares(here: Place) -> None:
    subscription = _buy(here, LatticeFundFactory(community=here.community), 100_000)

    with pytest.raises(IntegrityError):
        Subscription.objects.filter(pk=subscription.pk).update(amount_fen=150_000)


def test_a_grant_moves_money_from_the_fund_to_the_shops_own_account(here: Place) -> None:
    shop = LatticeShopFactory(fund=LatticeFundFactory(community=here.community))
    _buy(here, shop.fund, 500_000)

    grant, created = grant_to_shop(
        shop=shop, amount_fen=300_000, purpose="货架与招牌", by=here.manager, idempotency_key=new_key()
    )

    assert created
    legs = sorted(
        Leg.objects.filter(transaction=grant.transaction).values_list("account__kind", "account__owner_id", "amount")
    )
    assert legs == [("grant", shop.pk, -300_000), ("lattice_fund", shop.fund.pk, 300_000)]
    shop.fund.account.refresh_from_db()
    assert shop.fund.account.shown_balance == 200_000


def test_a_grant_beyond_the_funds_balance_is_refused_and_nothing_is_written(here: Place) -> None:
    shop = LatticeShopFactory(fund=LatticeFundFactory(community=here.community))
    _buy(here, shop.fund, 100_000)

    with pytest.raises(FundTooSmall) as raised:
        grant_to_shop(shop=shop, amount_fen=100_001, purpose="装修", by=here.manager, idempotency_key=new_key())

    assert str(raised.value) == f"{shop.fund.name} holds ¥1,000.00: a grant of ¥1,000.01 would overdraw it."
    assert raised.value.status == 409
    assert not ShopGrant.objects.exists()
    assert Transaction.objects.count() == 1
    assert not Account.objects.filter(kind=Account.Kind.GRANT).exists()


def test_a_grant_key_reused_for_another_grant_is_a_conflict(here: Place) -> None:
    shop = LatticeShopFactory(fund=LatticeFundFactory(community=here.community))
    _buy(here, shop.fund, 500_000)
    grant_to_shop(shop=shop, amount_fen=1_000, purpose="招牌", by=here.manager, idempotency_key="grant-key-0001")

    with pytest.raises(KeyReused):
        grant_to_shop(shop=shop, amount_fen=2_000, purpose="招牌", by=here.manager, idempotency_key="grant-key-0001")

    assert ShopGrant.objects.count() == 1


def test_a_shop_is_run_by_one_resident_or_one_cooperative(here: Place) -> None:
    fund = LatticeFundFactory(community=here.community)
    cooperative = CooperativeFactory(community=here.community)
    both = LatticeShop(
        community=here.community,
        fund=fund,
        name="铺",
        place="街口",
        sells="茶",
        operator=ResidentFactory(household__community=here.community, community=here.community),
        cooperative=cooperative,
    )

    with pytest.raises(ValidationError, match="A shop is run by one resident or by one cooperative"):
        both.full_clean()
    with pytest.raises(IntegrityError):
        both.save()


def test_an_operator_of_another_community_is_refused(here: Place, there: Place) -> None:
    shop = LatticeShop(
        community=here.community,
        fund=LatticeFundFactory(community=here.community),
        name="铺",
        place="街口",
        sells="茶",
        operator=ResidentFactory(household__community=there.community, community=there.community),
    )

    with pytest.raises(ValidationError, match="belongs to another community"):
        shop.full_clean()


def test_a_shop_reports_each_month_once(here: Place) -> None:
    shop = LatticeShopFactory(fund=LatticeFundFactory(community=here.community))
    ShopRevenueReport.objects.create(community=here.community, shop=shop, month=this_month(), revenue_fen=268_000)

    with pytest.raises(ValidationError, match="This shop already reported that month"):
        ShopRevenueReport(community=here.community, shop=shop, month=this_month(), revenue_fen=1).full_clean()


def test_a_future_month_cannot_be_reported(here: Place) -> None:
    shop = LatticeShopFactory(fund=LatticeFundFactory(community=here.community))
    month = timezone.localdate().replace(year=timezone.localdate().year + 1, day=1)

    with pytest.raises(ValidationError, match="A month is reported once it has begun"):
        ShopRevenueReport(community=here.community, shop=shop, month=month, revenue_fen=1).full_clean()


# --- The fund's staff page ------------------------------------------------------------------------


def test_the_fund_page_sells_shares_and_a_double_submit_records_them_once(here: Place) -> None:
    fund = LatticeFundFactory(community=here.community)
    client = browser(here.manager)
    form = {
        "subscribe": "1",
        "kind": "individual",
        "person_name": "陈女士",
        "amount": "2000",
        "public_consent": "on",
        "public_name": "陈女士一家",
        "idempotency_key": new_key(),
    }

    responses = [client.post(reverse("markets:fund", args=[fund.pk]), form) for _ in range(2)]

    assert [r.status_code for r in responses] == [302, 302]
    subscription = Subscription.objects.get()
    assert (subscription.shares, subscription.public_consent, subscription.public_name) == (2, True, "陈女士一家")
    assert Transaction.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1500", "A share is ¥1,000.00: ¥1,500.00 is not a whole number of shares."),
        ("-1000", "The amount must be more than zero."),
    ],
)
def test_the_fund_page_shows_a_bad_amount_on_the_field_and_writes_nothing(
    here: Place, amount: str, message: str
) -> None:
    fund = LatticeFundFactory(community=here.community)
    form = {
        "subscribe": "1",
        "kind": "individual",
        "person_name": "陈女士",
        "amount": amount,
        "idempotency_key": new_key(),
    }

    response = browser(here.manager).post(reverse("markets:fund", args=[fund.pk]), form)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Subscription.objects.exists()
    assert not Transaction.objects.exists()


def test_the_fund_page_refuses_a_grant_beyond_the_balance(here: Place) -> None:
    shop = LatticeShopFactory(fund=LatticeFundFactory(community=here.community))
    form = {"grant": "1", "shop": shop.pk, "amount": "10", "purpose": "招牌", "idempotency_key": new_key()}

    response = browser(here.manager).post(reverse("markets:fund", args=[shop.fund.pk]), form)

    assert response.status_code == 409
    assert "holds ¥0.00: a grant of ¥10.00 would overdraw it." in response.content.decode()
    assert not ShopGrant.objects.exists()


def test_centre_staff_see_the_fund_but_cannot_sell_shares(here: Place) -> None:
    fund = LatticeFundFactory(community=here.community)
    client = browser(here.staff)
    form = {"subscribe": "1", "kind": "individual", "person_name": "陈", "amount": "1000", "idempotency_key": new_key()}

    page = client.get(reverse("markets:fund", args=[fund.pk]))
    post = client.post(reverse("markets:fund", args=[fund.pk]), form)

    assert (page.status_code, post.status_code) == (200, 403)
    assert "Sell shares" not in page.content.decode()
    assert not Subscription.objects.exists()


def test_the_fund_page_has_a_pinned_query_count(here: Place, django_assert_max_num_queries: object) -> None:
    fund = LatticeFundFactory(community=here.community)
    for index in range(8):
        _buy(here, fund, 100_000, person_name=f"股东{index}")
    for _ in range(3):
        shop = LatticeShopFactory(fund=fund)
        grant_to_shop(shop=shop, amount_fen=1_000, purpose="招牌", by=here.manager, idempotency_key=new_key())
    client = browser(here.manager)

    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert client.get(reverse("markets:fund", args=[fund.pk])).status_code == 200


def test_the_shop_page_names_the_cooperatives_members_for_staff(here: Place) -> None:
    cooperative = CooperativeFactory(community=here.community)
    member = ResidentFactory(household__community=here.community, community=here.community, name="赵德明")
    cooperative.memberships.create(resident=member)
    shop = LatticeShopFactory(fund=LatticeFundFactory(community=here.community), operator=None, cooperative=cooperative)
    ShopRevenueReport.objects.create(community=here.community, shop=shop, month=this_month(), revenue_fen=268_000)

    page = browser(here.manager).get(reverse("markets:shop", args=[shop.pk])).content.decode()

    assert cooperative.name in page
    assert "赵德明" in page
    assert "¥2,680.00" in page


def test_the_shop_page_has_a_pinned_query_count(here: Place, django_assert_max_num_queries: object) -> None:
    cooperative = CooperativeFactory(community=here.community)
    for _ in range(4):
        cooperative.memberships.create(
            resident=ResidentFactory(household__community=here.community, community=here.community)
        )
    shop = LatticeShopFactory(fund=LatticeFundFactory(community=here.community), operator=None, cooperative=cooperative)
    _buy(here, shop.fund, 500_000)
    for _ in range(4):
        grant_to_shop(shop=shop, amount_fen=100, purpose="招牌", by=here.manager, idempotency_key=new_key())
    client = browser(here.manager)

    with django_assert_max_num_queries(10):  # type: ignore[operator]
        assert client.get(reverse("markets:shop", args=[shop.pk])).status_code == 200
