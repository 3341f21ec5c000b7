"""The public funds API answers from the cache until a commit changes what it reads (yicang.core.public_cache).

Writes here run inside `django_capture_on_commit_callbacks(execute=True)`, which stands for their commit:
the topics they touch are bumped only then. The data a test starts from is committed the same way, so
that what was touched while building it (the community, its accounts) is bumped before the first
request, not together with the write the test is about.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from markets.models import Market, ProjectSpending, Sale, ShopGrant, Stall, Subscription
from markets.services.markets import record_sale
from tests.clients import signed_in
from tests.factories.markets import MarketFactory, StallFactory, new_key
from tests.markets.conftest import Place
from yicang.community.models import Community
from yicang.core.months import add_months, this_month
from yicang.ledger.models import Account, Transaction
from yicang.ledger.services import reverse_transaction

pytestmark = pytest.mark.django_db

OnCommit = Callable[..., AbstractContextManager[list[Callable[[], None]]]]


def get(url: str) -> HttpResponse:
    """An anonymous request, in English."""
    response: HttpResponse = Client().get(url, HTTP_ACCEPT_LANGUAGE="en")
    return response


def funds_url(place: Place) -> str:
    return f"/api/v1/funds/{place.community.code}/"


def fund_url(place: Place) -> str:
    """The Yicang fund's URL (looked up here: call it before counting queries)."""
    fund = Account.objects.get(community=place.community, kind=Account.Kind.YICANG_FUND)
    return f"/api/v1/funds/{place.community.code}/{fund.pk}/"


def a_stall(place: Place, title: str = "十一月义集") -> Stall:
    return StallFactory(market=MarketFactory(community=place.community, title=title))


def sell(place: Place, stall: Stall, what: str, price_fen: int) -> Sale:
    market: Market = stall.market
    sale, created = record_sale(
        market=market, stall=stall, what=what, price_fen=price_fen, by=place.manager, idempotency_key=new_key()
    )
    assert created
    return sale


def balances(response: HttpResponse) -> list[tuple[str, int]]:
    return [(fund["kind"], fund["balance_fen"]) for fund in response.json()["funds"]]


def movements(response: HttpResponse) -> list[tuple[int, str, str]]:
    return [(m["amount"], m["what"], m["detail"]) for m in response.json()["movements"]]


def _warm_content_types() -> None:
    # Content types are cached per process: looked up once here, so the pinned counts do not depend on
    # which test ran before (the fund page describes its movements by the content type of their cause).
    ContentType.objects.get_for_models(Sale, Subscription, ShopGrant, ProjectSpending)


def test_a_repeated_request_for_the_funds_is_answered_without_a_query(
    here: Place, django_capture_on_commit_callbacks: OnCommit, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # Given a community whose Yicang fund took one sale, committed
    with django_capture_on_commit_callbacks(execute=True):
        sell(here, a_stall(here), "童装", 3_000)
    _warm_content_types()
    funds, fund = funds_url(here), fund_url(here)

    # When the list and the fund are asked for twice each
    with django_assert_num_queries(3):  # the community's id, the community, its funds
        first_list = get(funds)
    with django_assert_num_queries(0):
        again_list = get(funds)
    with django_assert_num_queries(5):  # the community (its id is cached now), account, months, legs, their sales
        first_fund = get(fund)
    with django_assert_num_queries(0):
        again_fund = get(fund)

    # Then the repeated answers are the first ones, byte for byte
    assert first_list.status_code == again_list.status_code == 200
    assert again_list.content == first_list.content
    assert balances(again_list) == [("yicang_fund", 3_000)]
    assert first_fund.status_code == again_fund.status_code == 200
    assert again_fund.content == first_fund.content
    assert again_fund.json()["balance_fen"] == 3_000
    assert movements(again_fund) == [(3_000, "Charitable market sale", "十一月义集 · 童装")]


def test_each_language_has_its_own_cached_answer(
    here: Place, django_capture_on_commit_callbacks: OnCommit, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # Given a sale, committed, and the fund's page cached in Chinese (the default language)
    with django_capture_on_commit_callbacks(execute=True):
        sell(here, a_stall(here), "童装", 3_000)
    _warm_content_types()
    fund = fund_url(here)
    chinese = Client().get(fund)
    assert movements(chinese) == [(3_000, "义集义卖", "十一月义集 · 童装")]

    # When the page is asked for in English, then in Chinese again
    # The community's id is looked up again too: public_cache.cached keys every answer by language.
    with django_assert_num_queries(6):
        english = get(fund)
    with django_assert_num_queries(0):
        chinese_again = Client().get(fund)

    # Then each language gets its own answer, and both are kept
    assert movements(english) == [(3_000, "Charitable market sale", "十一月义集 · 童装")]
    assert chinese_again.content == chinese.content


def test_a_sale_committed_changes_the_yicang_funds_balance_in_the_next_answer(
    here: Place, django_capture_on_commit_callbacks: OnCommit, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # Given a Yicang fund of 3,000 fen whose list and page are cached
    with django_capture_on_commit_callbacks(execute=True):
        stall = a_stall(here)
        sell(here, stall, "童装", 3_000)
    _warm_content_types()
    funds, fund = funds_url(here), fund_url(here)
    assert balances(get(funds)) == [("yicang_fund", 3_000)]
    assert get(fund).json()["balance_fen"] == 3_000

    # When another sale of 2,500 fen is recorded and committed
    with django_capture_on_commit_callbacks(execute=True):
        sell(here, stall, "旧书", 2_500)

    # Then both answers are computed anew (the community's id is still cached) and show 5,500 fen
    with django_assert_num_queries(2):
        listed = get(funds)
    with django_assert_num_queries(5):
        page = get(fund)
    assert balances(listed) == [("yicang_fund", 5_500)]
    assert page.json()["balance_fen"] == 5_500
    assert movements(page) == [
        (2_500, "Charitable market sale", "十一月义集 · 旧书"),
        (3_000, "Charitable market sale", "十一月义集 · 童装"),
    ]


def test_a_sale_in_another_community_leaves_this_communitys_answers_cached(
    here: Place,
    there: Place,
    django_capture_on_commit_callbacks: OnCommit,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    # Given two communities with a sale each, committed, and this community's answers cached
    with django_capture_on_commit_callbacks(execute=True):
        sell(here, a_stall(here), "童装", 3_000)
        theirs = a_stall(there, title="交子义集")
        sell(there, theirs, "台灯", 1_000)
    funds, fund, their_funds = funds_url(here), fund_url(here), funds_url(there)
    first_list, first_fund = get(funds), get(fund)
    assert balances(get(their_funds)) == [("yicang_fund", 1_000)]

    # When the other community records a sale, committed
    with django_capture_on_commit_callbacks(execute=True):
        sell(there, theirs, "茶具", 4_000)

    # Then this community's answers still come from the cache, unchanged, and the other's show the sale
    with django_assert_num_queries(0):
        listed = get(funds)
    with django_assert_num_queries(0):
        page = get(fund)
    assert listed.content == first_list.content
    assert page.content == first_fund.content
    assert balances(listed) == [("yicang_fund", 3_000)]
    assert balances(get(their_funds)) == [("yicang_fund", 5_000)]


def test_a_sale_reversed_in_the_ledger_leaves_the_balance_and_shows_the_correction(
    here: Place, django_capture_on_commit_callbacks: OnCommit
) -> None:
    # Given two sales, committed, with the fund's answers cached
    with django_capture_on_commit_callbacks(execute=True):
        stall = a_stall(here)
        sell(here, stall, "童装", 3_000)
        mistaken = sell(here, stall, "旧书", 700)
    funds, fund = funds_url(here), fund_url(here)
    assert balances(get(funds)) == [("yicang_fund", 3_700)]
    assert get(fund).json()["balance_fen"] == 3_700

    # When the second sale's posting is reversed in the ledger, committed
    assert mistaken.transaction is not None
    with django_capture_on_commit_callbacks(execute=True):
        reverse_transaction(original=mistaken.transaction, by=here.manager, reason="重复登记")

    # Then the balance drops by 700 fen and the correction is the newest movement
    page = get(fund)
    assert balances(get(funds)) == [("yicang_fund", 3_000)]
    assert page.json()["balance_fen"] == 3_000
    assert movements(page) == [
        (-700, "Correction", "Reversal of an earlier entry"),
        (700, "Charitable market sale", "十一月义集 · 旧书"),
        (3_000, "Charitable market sale", "十一月义集 · 童装"),
    ]


def test_a_sale_reversed_from_the_ledger_admin_changes_the_next_answer(
    here: Place, django_capture_on_commit_callbacks: OnCommit
) -> None:
    # Given a sale of 1,200 fen, committed, with the fund's answers cached
    with django_capture_on_commit_callbacks(execute=True):
        sale = sell(here, a_stall(here), "童装", 1_200)
    funds, fund = funds_url(here), fund_url(here)
    assert balances(get(funds)) == [("yicang_fund", 1_200)]
    assert get(fund).json()["balance_fen"] == 1_200
    assert sale.transaction is not None

    # When a manager reverses it with the admin's action, committed
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(here.manager).post(
            "/admin/ledger/transaction/",
            {"action": "reverse_selected", "_selected_action": [sale.transaction.pk], "apply": "1", "reason": "录错"},
        )

    # Then the fund holds nothing again, and its page shows the correction
    assert response.status_code == 302
    assert Transaction.objects.filter(reverses=sale.transaction).count() == 1
    assert balances(get(funds)) == [("yicang_fund", 0)]
    page = get(fund)
    assert page.json()["balance_fen"] == 0
    assert movements(page)[0] == (-1_200, "Correction", "Reversal of an earlier entry")


def test_an_unknown_community_is_a_404_that_is_not_cached(
    django_capture_on_commit_callbacks: OnCommit, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # Given no community with the code "nowhere"
    # When its funds are asked for twice
    with django_assert_num_queries(2):  # the community's id, then the view's own look-up
        first = get("/api/v1/funds/nowhere/")
    with django_assert_num_queries(2):
        again = get("/api/v1/funds/nowhere/")
    with django_assert_num_queries(2):
        fund = get("/api/v1/funds/nowhere/1/")

    # Then each is a 404 computed anew
    assert (first.status_code, again.status_code, fund.status_code) == (404, 404, 404)
    assert again.json() == {"detail": "No Community matches the given query."}

    # And once the community exists, even written in bulk (which bumps no topic), it answers 200
    with django_capture_on_commit_callbacks(execute=True):
        Community.objects.bulk_create([Community(name="无处社区", code="nowhere")])
    found = get("/api/v1/funds/nowhere/")
    assert found.status_code == 200
    assert found.json() == {"community": "nowhere", "funds": []}


def test_a_funds_answer_is_computed_anew_when_a_month_begins(
    here: Place,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: OnCommit,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    # Given a fund whose answer (twelve months up to this one) is cached
    with django_capture_on_commit_callbacks(execute=True):
        sell(here, a_stall(here), "童装", 3_000)
    _warm_content_types()
    url = fund_url(here)
    months = [row["month"] for row in get(url).json()["months"]]

    # When the next month begins, nothing else having changed
    monkeypatch.setattr("markets.api.this_month", lambda: add_months(this_month(), 1))

    # Then the answer is worked out again and its window moves on by a month
    with django_assert_num_queries(5):
        moved = [row["month"] for row in get(url).json()["months"]]
    assert moved == [*months[1:], f"{add_months(this_month(), 1):%Y-%m-%d}"]
