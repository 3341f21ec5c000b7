"""The admin of markets and lattices: scoped, entries of money read-only, pinned query counts."""

from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse

from markets.models import LatticeFund, Market, Sale, Stall, Subscription
from markets.services.lattices import subscribe
from markets.services.markets import record_sale
from markets.services.projects import spend_on_project
from markets.services.shops import grant_to_shop
from tests.factories import ResidentFactory
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
from yicang.community.models import Community
from yicang.core.months import this_month
from yicang.ledger.models import Account

pytestmark = pytest.mark.django_db


def _market(place: Place) -> None:
    stall = StallFactory(market__community=place.community)
    MarketActivityFactory(market=stall.market)
    record_sale(market=stall.market, stall=stall, what="书", price_fen=100, by=place.manager, idempotency_key=new_key())


def _lattice(place: Place) -> None:
    shop = LatticeShopFactory(fund=LatticeFundFactory(community=place.community), cooperative=None)
    subscribe(fund=shop.fund, amount_fen=100_000, person_name="陈", by=place.manager, idempotency_key=new_key())
    grant_to_shop(shop=shop, amount_fen=100, purpose="招牌", by=place.manager, idempotency_key=new_key())
    shop.revenue_reports.create(community=place.community, month=this_month(), revenue_fen=100)
    cooperative = CooperativeFactory(community=place.community)
    cooperative.memberships.create(resident=shop.operator)


def _project(place: Place) -> None:
    fund_community(place.community, 100)
    project = RevivalProjectFactory(community=place.community)
    spend_on_project(project=project, amount_fen=100, what="油漆", by=place.manager, idempotency_key=new_key())


@pytest.mark.parametrize(
    ("model", "make", "queries"),
    [
        ("market", _market, 9),
        ("sale", _market, 10),  # the date hierarchy's years
        ("marketactivity", _market, 9),
        ("latticefund", _lattice, 9),
        ("subscription", _lattice, 10),  # the date hierarchy's years
        ("cooperative", _lattice, 9),
        ("latticeshop", _lattice, 9),
        ("shopgrant", _lattice, 9),
        ("shoprevenuereport", _lattice, 9),
        ("revivalproject", _project, 9),
        ("projectspending", _project, 9),
    ],
)
def test_changelists_have_pinned_query_counts(
    here: Place,
    there: Place,
    model: str,
    make: Callable[[Place], None],
    queries: int,
    django_assert_max_num_queries: object,
) -> None:
    client = browser(here.manager)
    url = reverse(f"admin:markets_{model}_changelist")
    make(here)
    with django_assert_max_num_queries(queries):  # type: ignore[operator]
        assert client.get(url).status_code == 200
    for _ in range(8):
        make(here)
    make(there)

    with django_assert_max_num_queries(queries):  # type: ignore[operator]
        response = client.get(url)
    assert response.status_code == 200


def test_the_market_page_adds_stalls_of_its_community_only(here: Place, there: Place) -> None:
    market = MarketFactory(community=here.community)
    stranger = ResidentFactory(household__community=there.community, community=there.community)
    client = browser(here.manager)
    form = {
        "title": market.title,
        "held_on": market.held_on.isoformat(),
        "place": market.place,
        "stalls-TOTAL_FORMS": "1",
        "stalls-INITIAL_FORMS": "0",
        "stalls-0-number": "1",
        "stalls-0-seller": str(stranger.pk),
        "stalls-0-description": "书",
        "activities-TOTAL_FORMS": "0",
        "activities-INITIAL_FORMS": "0",
        "sales-TOTAL_FORMS": "0",
        "sales-INITIAL_FORMS": "0",
    }

    response = client.post(reverse("admin:markets_market_change", args=[market.pk]), form)

    assert response.status_code == 200  # the form again, with the error
    assert not Stall.objects.exists()


def test_adding_a_fund_in_the_admin_opens_its_account(here: Place) -> None:
    client = browser(here.manager)

    response = client.post(
        reverse("admin:markets_latticefund_add"), {"community": here.community.pk, "name": "义坊基金", "purpose": ""}
    )

    assert response.status_code == 302
    fund = LatticeFund.objects.get()
    assert (fund.account.kind, fund.account.owner) == (Account.Kind.LATTICE_FUND, fund)


def test_a_shareholder_may_withdraw_consent_and_nothing_else_changes(here: Place) -> None:
    fund = LatticeFundFactory(community=here.community)
    subscription, _ = subscribe(
        fund=fund, amount_fen=100_000, person_name="陈", public_consent=True, by=here.manager, idempotency_key=new_key()
    )
    client = browser(here.manager)

    response = client.post(
        reverse("admin:markets_subscription_change", args=[subscription.pk]),
        {"public_consent": "", "public_name": "", "shares": "9", "amount_fen": "900000"},
    )

    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.public_consent, subscription.public_name, subscription.shares) == (False, "", 1)


def test_sales_cannot_be_added_or_changed_in_the_admin(here: Place) -> None:
    _market(here)
    client = browser(here.manager)
    sale = Sale.objects.get()

    assert client.get(reverse("admin:markets_sale_add")).status_code == 403
    assert client.post(reverse("admin:markets_sale_change", args=[sale.pk]), {"price_fen": 1}).status_code == 403
    assert Sale.objects.get().price_fen == 100


def test_the_close_action_closes_markets(here: Place) -> None:
    market = MarketFactory(community=here.community)

    browser(here.manager).post(
        reverse("admin:markets_market_changelist"), {"action": "close_selected", "_selected_action": [market.pk]}
    )

    assert Market.objects.get().status == Market.Status.CLOSED


def test_the_database_keeps_one_entry_per_key_in_a_community(here: Place) -> None:
    _market(here)
    sale = Sale.objects.get()
    copy = Sale(
        community=sale.community,
        market=sale.market,
        stall=sale.stall,
        what="书",
        price_fen=100,
        recorded_by=here.manager,
        idempotency_key=sale.idempotency_key,
    )

    with pytest.raises(IntegrityError):
        copy.save()


def test_seed_demo_builds_markets_and_lattices_once() -> None:
    call_command("seed_demo", "--households", "8", stdout=StringIO())
    counts = (Market.objects.count(), Sale.objects.count(), Subscription.objects.count(), LatticeFund.objects.count())
    call_command("seed_demo", "--households", "8", stdout=StringIO())
    out = StringIO()
    call_command("check_ledger", stdout=out)

    assert counts == (
        Market.objects.count(),
        Sale.objects.count(),
        Subscription.objects.count(),
        LatticeFund.objects.count(),
    )
    assert counts[0] == 2 * Community.objects.count()
    assert Sale.objects.filter(item__isnull=False).exists()
    assert Subscription.objects.filter(public_consent=True).exists()
    assert Subscription.objects.filter(public_consent=False).exists()
    assert "The book is sound" in out.getvalue()
