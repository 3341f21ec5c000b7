"""The public fund pages and API: balances and months from the ledger, names only by consent, no
seller, operator, recipient or contact data."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from markets.services.lattices import subscribe
from markets.services.markets import record_sale
from markets.services.projects import spend_on_project
from markets.services.shops import grant_to_shop
from tests.factories import ResidentFactory
from tests.factories.donors import AssistantEnterpriseFactory
from tests.factories.markets import (
    CooperativeFactory,
    LatticeFundFactory,
    LatticeShopFactory,
    MarketActivityFactory,
    MarketFactory,
    RevivalProjectFactory,
    StallFactory,
    new_key,
)
from tests.markets.conftest import Place, browser, fund_community
from yicang.core.months import add_months, this_month
from yicang.ledger.models import Account
from yicang.ledger.services import Entry, post_transaction, reverse_transaction

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _lattice(place: Place) -> tuple[object, dict[str, str]]:
    """A fund with a consenting person, a non-consenting person and a consenting enterprise, and a shop."""
    fund = LatticeFundFactory(community=place.community, name="水井坊义坊基金")
    enterprise = AssistantEnterpriseFactory(
        community=place.community, name="蜀都超市", contact_name="周经理", contact_phone="13812345678"
    )
    resident = ResidentFactory(household__community=place.community, community=place.community, name="黄桂兰")
    for kwargs in [
        {"person_name": "刘建国", "amount_fen": 100_000, "public_consent": True, "public_name": "刘老师"},
        {"person_name": "黄桂兰", "resident": resident, "amount_fen": 300_000},
        {"enterprise": enterprise, "amount_fen": 500_000, "public_consent": True},
    ]:
        subscribe(fund=fund, by=place.manager, idempotency_key=new_key(), **kwargs)  # type: ignore[arg-type]
    cooperative = CooperativeFactory(community=place.community, name="修补合作社")
    member = ResidentFactory(household__community=place.community, community=place.community, name="孙淑珍")
    cooperative.memberships.create(resident=member)
    operator = ResidentFactory(
        household__community=place.community, household__address="黄伞巷7号", community=place.community, name="马德明"
    )
    run_by_one = LatticeShopFactory(fund=fund, name="早点铺", operator=operator)
    LatticeShopFactory(fund=fund, name="修补铺", place="水井街口", sells="修鞋", operator=None, cooperative=cooperative)
    grant_to_shop(shop=run_by_one, amount_fen=200_000, purpose="炉灶", by=place.manager, idempotency_key=new_key())
    secrets = {
        "non-consenting shareholder": "黄桂兰",
        "the enterprise's contact": "周经理",
        "the enterprise's phone": "13812345678",
        "the operator": "马德明",
        "the operator's address": "黄伞巷7号",
        "a cooperative member": "孙淑珍",
        "the shop's staff-only cooperative": "修补合作社",
    }
    return fund, secrets


def test_the_lattice_fund_page_names_consenting_shareholders_only(here: Place) -> None:
    fund, secrets = _lattice(here)

    page = browser().get(reverse("markets:public-fund", args=[here.community.code, fund.account_id])).content.decode()  # type: ignore[attr-defined]

    assert "刘老师" in page
    assert "蜀都超市" in page
    assert "1 subscription (3 shares) by shareholders who prefer not to be named." in page
    assert "9 shares of ¥1,000 in all." in page
    assert "早点铺" in page
    assert "¥2,000.00" in page
    assert "¥7,000.00" in page
    for what, secret in secrets.items():
        assert secret not in page, what
    assert "刘建国" not in page  # shown under the public name the person chose


def test_the_public_api_gives_the_same_and_nothing_personal(here: Place) -> None:
    fund, secrets = _lattice(here)

    response = browser().get(reverse("markets:api-fund", args=[here.community.code, fund.account_id]))  # type: ignore[attr-defined]

    data = response.json()
    assert (data["kind"], data["name"], data["balance_fen"]) == ("lattice_fund", "水井坊义坊基金", 700_000)
    assert data["shareholders"] == {
        "named": [{"name": "蜀都超市", "shares": 5}, {"name": "刘老师", "shares": 1}],
        "unnamed_count": 1,
        "unnamed_shares": 3,
        "total_shares": 9,
    }
    assert [(m["what"], m["amount"], m["detail"]) for m in data["movements"]] == [
        ("Grant to a lattice shop", -200_000, "早点铺 · 炉灶"),
        ("Shares bought", 500_000, "5 × ¥1,000 by 蜀都超市"),
        ("Shares bought", 300_000, "3 × ¥1,000 by a shareholder who prefers not to be named"),
        ("Shares bought", 100_000, "1 × ¥1,000 by 刘老师"),
    ]
    assert [(s["name"], s["granted_fen"]) for s in data["shops"]] == [("修补铺", 0), ("早点铺", 200_000)]
    assert data["months"][-1] == {"month": this_month().isoformat(), "money_in": 900_000, "money_out": 200_000}
    for what, secret in secrets.items():
        assert secret not in response.content.decode(), what


def test_money_in_and_out_by_month_is_read_from_the_ledger(here: Place) -> None:
    market = MarketFactory(community=here.community)
    stall = StallFactory(market=market)
    month = this_month()
    two_ago = add_months(month, -2)
    in_two_ago = datetime(two_ago.year, two_ago.month, 15, 12, tzinfo=SHANGHAI)
    # A sale at the very start of this month (Shanghai time) is this month's, not last month's.
    first_instant = datetime(month.year, month.month, 1, 0, 30, tzinfo=SHANGHAI)
    for at, price in [(in_two_ago, 2_500), (in_two_ago + timedelta(days=1), 4_000), (first_instant, 1_000)]:
        record_sale(
            market=market, stall=stall, what="书", price_fen=price, by=here.manager, idempotency_key=new_key(), at=at
        )
    mistaken, _ = record_sale(
        market=market,
        stall=stall,
        what="书",
        price_fen=700,
        by=here.manager,
        idempotency_key=new_key(),
        at=first_instant,
    )
    assert mistaken.transaction is not None
    reverse_transaction(original=mistaken.transaction, by=here.manager, reason="重复登记")
    fund = Account.objects.get(community=here.community, kind=Account.Kind.YICANG_FUND)
    cash = Account.objects.get(community=here.community, kind=Account.Kind.CASH)
    post_transaction(
        community=here.community, entries=[Entry(fund, 3_000), Entry(cash, -3_000)], reason="为王奶奶买米", by=None
    )

    data = browser().get(reverse("markets:api-fund", args=[here.community.code, fund.pk])).json()

    months = {row["month"]: (row["money_in"], row["money_out"]) for row in data["months"]}
    assert len(months) == 12
    assert months[two_ago.isoformat()] == (6_500, 0)
    assert months[add_months(month, -1).isoformat()] == (0, 0)
    assert months[month.isoformat()] == (1_700, 3_700)
    assert data["balance_fen"] == 4_500
    # A posting without a cause of this app says only "money out": its reason may name a family.
    assert ("Money out", -3_000, "") in [(m["what"], m["amount"], m["detail"]) for m in data["movements"]]
    assert "王奶奶" not in str(data)
    page = browser().get(reverse("markets:public-fund", args=[here.community.code, fund.pk])).content.decode()
    assert "王奶奶" not in page
    assert "¥45.00" in page


def test_the_yicang_fund_page_lists_markets_with_their_proceeds_and_no_sellers(here: Place) -> None:
    market = MarketFactory(community=here.community, title="十一月义集")
    stall = StallFactory(market=market, seller__name="吴小燕")
    record_sale(market=market, stall=stall, what="童装", price_fen=3_000, by=here.manager, idempotency_key=new_key())
    fund = Account.objects.get(community=here.community, kind=Account.Kind.YICANG_FUND)

    page = browser().get(reverse("markets:public-fund", args=[here.community.code, fund.pk])).content.decode()

    assert "十一月义集" in page
    assert "¥30.00" in page
    assert "吴小燕" not in page


def test_the_community_fund_page_shows_projects_and_spending(here: Place) -> None:
    fund = fund_community(here.community, 500_000)
    project = RevivalProjectFactory(community=here.community, title="自行车棚变书屋")
    spend_on_project(project=project, amount_fen=80_000, what="书架", by=here.manager, idempotency_key=new_key())

    data = browser().get(reverse("markets:api-fund", args=[here.community.code, fund.pk])).json()

    assert data["balance_fen"] == 420_000
    assert [(p["title"], p["spent_fen"], p["budget_fen"]) for p in data["projects"]] == [
        ("自行车棚变书屋", 80_000, 200_000)
    ]
    assert data["movements"][0] == {
        "at": data["movements"][0]["at"],
        "amount": -80_000,
        "what": "Idle-asset project",
        "detail": "自行车棚变书屋 · 书架",
    }


def test_a_cash_account_or_another_communitys_fund_is_not_public(here: Place, there: Place) -> None:
    fund_community(here.community, 1_000)
    cash = Account.objects.get(community=here.community, kind=Account.Kind.CASH)
    theirs = fund_community(there.community, 1_000)
    client = browser()

    assert client.get(reverse("markets:public-fund", args=[here.community.code, cash.pk])).status_code == 404
    assert client.get(reverse("markets:public-fund", args=[here.community.code, theirs.pk])).status_code == 404
    assert client.get(reverse("markets:api-fund", args=[here.community.code, cash.pk])).status_code == 404


def test_the_funds_of_a_community(here: Place) -> None:
    fund_community(here.community, 12_345)
    LatticeFundFactory(community=here.community, name="义坊基金")

    data = browser().get(reverse("markets:api-funds", args=[here.community.code])).json()

    assert data == {
        "community": "shuijingfang",
        "funds": [
            {"id": data["funds"][0]["id"], "kind": "community_fund", "name": "社区基金", "balance_fen": 12_345},
            {"id": data["funds"][1]["id"], "kind": "lattice_fund", "name": "义坊基金", "balance_fen": 0},
        ],
    }


@pytest.mark.parametrize(("page", "queries"), [("index", 3), ("funds", 4), ("fund", 10)])
def test_public_pages_have_pinned_query_counts(
    here: Place, there: Place, page: str, queries: int, django_assert_max_num_queries: object
) -> None:
    funds = {}
    for place in (here, there):
        funds[place.community.code], _secrets = _lattice(place)
        fund_community(place.community, 1_000)
        for _ in range(3):
            stall = StallFactory(market__community=place.community)
            record_sale(
                market=stall.market, stall=stall, what="书", price_fen=100, by=here.manager, idempotency_key=new_key()
            )
    urls = {
        "index": reverse("markets:public-index"),
        "funds": reverse("markets:public-funds", args=[here.community.code]),
        "fund": reverse("markets:public-fund", args=[here.community.code, funds["shuijingfang"].account_id]),  # type: ignore[attr-defined]
    }
    client = browser()

    with django_assert_max_num_queries(queries):  # type: ignore[operator]
        response = client.get(urls[page])
    assert response.status_code == 200


def test_the_public_market_report_shows_sales_proceeds_and_hosts_but_no_seller(
    here: Place, django_assert_max_num_queries: object
) -> None:
    market = MarketFactory(community=here.community, title="十一月义集")
    for number, seller in enumerate(["吴小燕", "郭海涛", "林春林"], start=1):
        stall = StallFactory(market=market, number=number, seller__name=seller, seller__household__address="星桥街9号")
        record_sale(
            market=market,
            stall=stall,
            what=f"旧物{number}",
            price_fen=1_000 * number,
            by=here.manager,
            idempotency_key=new_key(),
        )
    MarketActivityFactory(market=market, title="义诊", host="锦江区人民医院", people_served=40)
    client = browser()

    with django_assert_max_num_queries(7):  # type: ignore[operator]
        response = client.get(reverse("markets:public-market", args=[here.community.code, market.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "¥60.00" in page  # to the Yicang fund
    assert "旧物3" in page
    assert "锦江区人民医院" in page
    assert "40 people served" in page
    for private in ["吴小燕", "郭海涛", "林春林", "星桥街9号"]:
        assert private not in page


def test_another_communitys_market_is_not_in_this_communitys_report(here: Place, there: Place) -> None:
    market = MarketFactory(community=there.community)

    response = browser().get(reverse("markets:public-market", args=[here.community.code, market.pk]))

    assert response.status_code == 404


def test_a_grant_or_spending_reversed_in_the_ledger_is_left_out_of_the_public_totals(here: Place) -> None:
    from markets.models import ProjectSpending, ShopGrant
    from markets.selectors import public_projects, public_shops

    fund, _secrets = _lattice(here)
    project = RevivalProjectFactory(community=here.community)
    fund_community(here.community, 50_000)
    spend_on_project(project=project, amount_fen=10_000, what="油漆", by=here.manager, idempotency_key=new_key())

    reverse_transaction(original=ShopGrant.objects.get().transaction, by=here.manager, reason="录错了")
    reverse_transaction(original=ProjectSpending.objects.get().transaction, by=here.manager, reason="录错了")

    assert [(s.name, s.granted_fen) for s in public_shops(fund)] == [("修补铺", 0), ("早点铺", 0)]  # type: ignore[arg-type]
    assert [p.spent_fen for p in public_projects(here.community)] == [0]  # type: ignore[attr-defined]
