"""The store's public answers (traces, the trace log, publicity, statistics) are cached until what they read changes.

Each test asks as a visitor would (HTTP through the test client), changes something through the service
that changes it, and lets its transaction commit (django_capture_on_commit_callbacks), which is when the
answers it touched are bumped. See yicang/core/public_cache.py.
"""

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from pytest_django import DjangoAssertNumQueries

import stores.codes
from donors.models import CompassionFamily
from donors.services import save_compassion_family
from stores.codes import display, new_code
from stores.models import Item, ItemEvent, Warehouse
from stores.services.counts import refresh_monthly_counts
from stores.services.inventory import close_check, record_scan, start_check
from stores.services.items import IntakeLine, receive_donation
from stores.services.scanning import move_to
from tests.factories import CommunityFactory, HouseholdFactory, UserFactory
from tests.factories.donors import CompassionFamilyFactory
from tests.factories.stores import CategoryFactory, WarehouseFactory
from yicang.core.months import this_month
from yicang.ledger.log.services import extend_log
from yicang.privacy.services import erase_household
from yicang.reports.statistics import refresh_statistics

pytestmark = pytest.mark.django_db

OnCommit = Callable[..., AbstractContextManager[list[Callable[[], None]]]]


@pytest.fixture
def store() -> Warehouse:
    return WarehouseFactory(name="一号库", public_place="水井坊义仓", community__name="水井坊社区")


@pytest.fixture
def family(store: Warehouse) -> CompassionFamily:
    """A compassion family of the store's community that agreed to be named "王家"."""
    return CompassionFamilyFactory(consenting=True, community=store.community, household__name="王家")


def _receive(store: Warehouse, *, count: int = 1, family: CompassionFamily | None = None) -> list[Item]:
    line = IntakeLine(
        category=CategoryFactory(name="大米", unit="kg", perishable=False), count=count, quantity=Decimal("10")
    )
    donation = receive_donation(warehouse=store, lines=[line], by=UserFactory(), family=family)
    return list(donation.items.order_by("pk"))


@pytest.fixture
def item(store: Warehouse, family: CompassionFamily) -> Item:
    """One bag of rice from 王家, received at 水井坊义仓 through the real intake."""
    return _receive(store, family=family)[0]


def _trace(code: str, language: str = "en") -> Any:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(f"/api/v1/trace/{code}/")
    assert response.status_code == 200
    return response.json()


def _steps(code: str, language: str = "en") -> list[tuple[str, str, str]]:
    return [(step["kind"], step["what"], step["where"]) for step in _trace(code, language)["steps"]]


def _page(code: str, language: str = "en") -> str:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(f"/t/{code}")
    assert response.status_code == 200
    return response.content.decode()


def _page_steps(code: str, language: str = "en") -> list[tuple[str, str]]:
    return re.findall(r"<li><span><strong>(.*?)</strong> · (.*?)</span>", _page(code, language))


def _seen(response: Any) -> str:
    """A page as a visitor reads it: without the CSRF token of its language form, which is new each time."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def _page_figure(html: str, label: str) -> str:
    found = re.search(rf"<dt>{re.escape(label)}</dt>\s*<dd>(.*?)</dd>", html)
    assert found is not None, label
    return found[1]


# --- The trace ------------------------------------------------------------------------------------


def test_a_repeated_trace_is_answered_without_a_query(
    store: Warehouse, family: CompassionFamily, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    by_api, by_page = _receive(store, count=2, family=family)
    api = Client(HTTP_ACCEPT_LANGUAGE="en")

    # The item with its category, community and donor; its events with their warehouses.
    with django_assert_num_queries(2):
        first = api.get(f"/api/v1/trace/{by_api.code}/")
    with django_assert_num_queries(0):
        again = api.get(f"/api/v1/trace/{by_api.code_display.lower()}/")
    with django_assert_num_queries(2):
        first_page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/t/{by_page.code}")
    with django_assert_num_queries(0):
        again_page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/t/{by_page.code}")
    with django_assert_num_queries(0):  # the page and the API share one cached trace
        page_of_the_first = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/t/{by_api.code}")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert (again.json()["code"], again.json()["donor"], again.json()["community"]) == (
        by_api.code_display,
        "王家",
        "水井坊社区",
    )
    assert [(s["kind"], s["where"]) for s in again.json()["steps"]] == [("received", "水井坊义仓")]
    assert first_page.status_code == again_page.status_code == page_of_the_first.status_code == 200
    assert _seen(again_page) == _seen(first_page)
    assert by_page.code_display in again_page.content.decode()
    assert by_api.code_display in page_of_the_first.content.decode()


def test_a_step_taken_through_the_service_shows_in_the_next_trace(
    item: Item, django_capture_on_commit_callbacks: OnCommit, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    stop = WarehouseFactory(community=item.community, name="二号点", public_place="交子义仓驿站")
    assert _steps(item.code) == [("received", "received", "水井坊义仓")]
    assert _page_steps(item.code) == [("received", "水井坊义仓")]

    with django_capture_on_commit_callbacks(execute=True):
        move_to(item=item, warehouse=stop, by=UserFactory())
        # Not committed yet: the cached trace is still the one answered.
        assert _steps(item.code) == [("received", "received", "水井坊义仓")]

    with django_assert_num_queries(2):
        steps = _steps(item.code)
    assert steps == [("received", "received", "水井坊义仓"), ("moved", "moved", "交子义仓驿站")]
    assert _page_steps(item.code) == [("received", "水井坊义仓"), ("moved", "交子义仓驿站")]


def test_an_inventory_check_closed_shows_the_checked_step_in_the_next_trace(
    item: Item, django_capture_on_commit_callbacks: OnCommit
) -> None:
    clerk = UserFactory()
    check = start_check(warehouse=item.warehouse, by=clerk)
    record_scan(inventory_check=check, typed=item.code, by=clerk)
    assert _steps(item.code) == [("received", "received", "水井坊义仓")]
    assert _page_steps(item.code) == [("received", "水井坊义仓")]

    with django_capture_on_commit_callbacks(execute=True):
        # The "checked" events are written in bulk, without a save of the item.
        assert close_check(inventory_check=check, by=clerk) == []
        assert _steps(item.code) == [("received", "received", "水井坊义仓")]  # not committed yet: the cached trace

    assert _steps(item.code) == [("received", "received", "水井坊义仓"), ("checked", "checked", "水井坊义仓")]
    assert _page_steps(item.code) == [("received", "水井坊义仓"), ("checked", "水井坊义仓")]


def test_a_consent_withdrawn_through_the_donors_service_stops_the_trace_naming_the_donor(
    item: Item, family: CompassionFamily, django_capture_on_commit_callbacks: OnCommit
) -> None:
    assert _trace(item.code)["donor"] == "王家"
    assert "王家" in _page(item.code)

    family.public_name_consent = False
    with django_capture_on_commit_callbacks(execute=True):
        save_compassion_family(family=family, by=UserFactory())
        assert _trace(item.code)["donor"] == "王家"  # not committed yet: the cached trace

    assert _trace(item.code)["donor"] == "a compassion family"
    assert _trace(item.code, "zh-hans")["donor"] == "一户爱心家庭"
    page = _page(item.code)
    assert "a compassion family" in page
    assert "王家" not in page


def test_a_trace_cached_in_one_language_is_not_served_in_the_other(
    store: Warehouse, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    item = _receive(store)[0]  # from no donor
    chinese = (["接收入库"], "一位匿名捐赠者")
    english = (["received"], "an anonymous donor")

    def asked(language: str) -> tuple[list[str], str]:
        trace = _trace(item.code, language)
        return [step["what"] for step in trace["steps"]], trace["donor"]

    with django_assert_num_queries(2):
        assert asked("zh-hans") == chinese
    with django_assert_num_queries(2):
        assert asked("en") == english
    with django_assert_num_queries(0):
        assert asked("zh-hans") == chinese
    with django_assert_num_queries(0):
        assert asked("en") == english
    assert "接收入库" in _page(item.code, "zh-hans")
    assert "received" in _page(item.code, "en")
    assert "接收入库" not in _page(item.code, "en")


@pytest.fixture
def next_code(monkeypatch: pytest.MonkeyPatch) -> str:
    """The code the next item created will draw: a real code, known before the item exists."""
    code = new_code()
    drawn = iter(code[: stores.codes.RANDOM_CHARS])
    monkeypatch.setattr(stores.codes, "secrets", SimpleNamespace(choice=lambda alphabet: next(drawn)))
    return code


def test_an_unknown_code_is_not_cached_so_an_item_received_in_bulk_answers_at_once(
    store: Warehouse, next_code: str
) -> None:
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert visitor.get(f"/api/v1/trace/{next_code}/").status_code == 404
    assert visitor.get(f"/t/{display(next_code)}").status_code == 404

    # Intake creates the item and its event with bulk_create: no save, nothing bumped, even once committed.
    (item,) = _receive(store)

    assert item.code == next_code
    api = visitor.get(f"/api/v1/trace/{next_code}/")
    assert api.status_code == 200
    assert [step["kind"] for step in api.json()["steps"]] == ["received"]
    assert api.json()["donor"] == "an anonymous donor"
    page = visitor.get(f"/t/{display(next_code)}")
    assert page.status_code == 200
    assert display(next_code) in page.content.decode()


def test_a_community_renamed_changes_the_trace_at_once(
    item: Item, django_capture_on_commit_callbacks: OnCommit
) -> None:
    assert _trace(item.code)["community"] == "水井坊社区"
    assert "水井坊社区" in _page(item.code)
    community = item.community

    community.name = "水井坊新社区"
    with django_capture_on_commit_callbacks(execute=True):
        community.save()

    assert _trace(item.code)["community"] == "水井坊新社区"
    assert _trace(item.code, "zh-hans")["community"] == "水井坊新社区"
    assert "水井坊新社区" in _page(item.code)


def test_an_erased_donor_leaves_the_trace_at_once(
    item: Item, family: CompassionFamily, django_capture_on_commit_callbacks: OnCommit
) -> None:
    assert _trace(item.code)["donor"] == "王家"

    with django_capture_on_commit_callbacks(execute=True):
        # Bulk updates, which send no signal: the recorded erasure is what bumps every answer.
        erase_household(household=family.household, by=UserFactory(is_superuser=True), reason="本人要求删除")

    assert _trace(item.code)["donor"] == "a compassion family"
    assert "王家" not in _page(item.code)


# --- The trace in the public log -----------------------------------------------------------------


def test_the_trace_log_is_cached_until_the_log_grows(
    item: Item, django_capture_on_commit_callbacks: OnCommit, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    ContentType.objects.get_for_model(ItemEvent)  # the content type is cached per process: counted once, here
    url = f"/api/v1/trace/{item.code}/log/"

    # The item, its events and their leaves.
    with django_assert_num_queries(3):
        first = Client().get(url)
    with django_assert_num_queries(0):
        again = Client().get(url)

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert [(s["kind"], s["index"], s["record"]) for s in again.json()["steps"]] == [("received", None, None)]

    with django_capture_on_commit_callbacks(execute=True):
        assert extend_log() == 1
        assert Client().get(url).json() == first.json()  # not committed yet: the cached answer

    with django_assert_num_queries(3):
        logged = Client().get(url).json()
    assert [(s["kind"], s["index"]) for s in logged["steps"]] == [("received", 0)]
    assert '"kind":"received"' in logged["steps"][0]["record"]


# --- The store's publicity -------------------------------------------------------------------------


def _publicity(code: str, month: str | None = None) -> Any:
    query = {"month": month} if month else {}
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/api/v1/publicity/{code}/", query)
    assert response.status_code == 200
    return response.json()


def _publicity_page(code: str) -> str:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/c/{code}/publicity/")
    assert response.status_code == 200
    return response.content.decode()


def _counts(body: Any) -> tuple[int, int, list[tuple[str, int, str]]]:
    """The month's donations, those from unnamed donors, and what came in by category (items, quantity)."""
    rows = [(row["category"], row["items_in"], row["quantity_in"]) for row in body["rows"]]
    return body["donations"], body["unnamed_donations"], rows


def test_a_repeated_publicity_is_answered_without_a_query(
    store: Warehouse, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    _receive(store, count=2)
    refresh_monthly_counts(this_month())
    code, month = store.community.code, f"{this_month():%Y-%m}"
    api_url, page_url = f"/api/v1/publicity/{code}/?month={month}", f"/c/{code}/publicity/?month={month}"

    # The community's id by its code, the community, its counts by category, its summary, the named donations.
    with django_assert_num_queries(5):
        first = Client(HTTP_ACCEPT_LANGUAGE="en").get(api_url)
    with django_assert_num_queries(0):
        again = Client(HTTP_ACCEPT_LANGUAGE="en").get(api_url)
    # The page asks for the same month of the same community: already cached by the API's answer.
    with django_assert_num_queries(0):
        page = Client(HTTP_ACCEPT_LANGUAGE="en").get(page_url)
    with django_assert_num_queries(0):
        page_again = Client(HTTP_ACCEPT_LANGUAGE="en").get(page_url)

    assert first.status_code == again.status_code == page.status_code == page_again.status_code == 200
    assert again.json() == first.json()
    assert _counts(again.json()) == (1, 1, [("大米", 2, "20.00")])
    assert _seen(page_again) == _seen(page)
    assert "2 items, 20 kg" in page.content.decode()


def test_the_page_alone_counts_the_publicity_once(
    store: Warehouse, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    _receive(store)
    url = f"/c/{store.community.code}/publicity/"

    with django_assert_num_queries(5):
        first = Client(HTTP_ACCEPT_LANGUAGE="en").get(url)
    with django_assert_num_queries(0):
        again = Client(HTTP_ACCEPT_LANGUAGE="en").get(url)

    assert first.status_code == again.status_code == 200
    assert _seen(again) == _seen(first)
    assert "Nothing has been counted for this month." in again.content.decode()


def test_monthly_counts_refreshed_show_in_the_next_publicity(
    store: Warehouse, django_capture_on_commit_callbacks: OnCommit
) -> None:
    _receive(store, count=3)
    code = store.community.code
    assert _counts(_publicity(code)) == (0, 0, [])
    assert "Nothing has been counted for this month." in _publicity_page(code)

    with django_capture_on_commit_callbacks(execute=True):
        assert refresh_monthly_counts(this_month()) == 2
        assert _counts(_publicity(code)) == (0, 0, [])  # not committed yet

    assert _counts(_publicity(code)) == (1, 1, [("大米", 3, "30.00")])
    assert _counts(_publicity(code, f"{this_month():%Y-%m}")) == (1, 1, [("大米", 3, "30.00")])
    page = _publicity_page(code)
    assert "3 items, 30 kg" in page
    assert _page_figure(page, "Donations received") == "1"
    assert "1 donation came from a donor who prefers not to be named." in page


def test_a_donation_from_a_consenting_donor_names_them_in_this_month_s_publicity(
    store: Warehouse, family: CompassionFamily, django_capture_on_commit_callbacks: OnCommit
) -> None:
    _receive(store)  # from no donor
    code = store.community.code
    assert _publicity(code)["donors_named"] == []
    assert "王家" not in _publicity_page(code)

    with django_capture_on_commit_callbacks(execute=True):
        _receive(store, family=family)

    assert _publicity(code)["donors_named"] == ["王家"]
    assert _publicity(code, f"{this_month():%Y-%m}")["donors_named"] == ["王家"]
    assert "<li>王家</li>" in _publicity_page(code)


def test_an_unknown_community_or_a_malformed_month_is_refused(store: Warehouse) -> None:
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    code = store.community.code

    unknown_api = visitor.get("/api/v1/publicity/no-such-community/")
    unknown_page = visitor.get("/c/no-such-community/publicity/")
    malformed_api = visitor.get(f"/api/v1/publicity/{code}/", {"month": "2026-1"})
    malformed_page = visitor.get(f"/c/{code}/publicity/", {"month": "2026-1"})

    assert (unknown_api.status_code, unknown_api.json()) == (404, {"detail": "Not found."})
    assert unknown_page.status_code == 404
    assert (malformed_api.status_code, malformed_api.json()) == (
        400,
        {"month": "Give a past or the current month as YYYY-MM."},
    )
    assert malformed_page.status_code == 404
    # The community itself still answers: none of the refusals was cached in its place.
    assert visitor.get(f"/api/v1/publicity/{code}/").status_code == 200
    assert visitor.get(f"/c/{code}/publicity/").status_code == 200


def test_a_community_created_after_its_code_was_asked_for_answers_at_once() -> None:
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert visitor.get("/api/v1/publicity/jiaozi/").status_code == 404

    CommunityFactory(code="jiaozi", name="交子社区")

    body = visitor.get("/api/v1/publicity/jiaozi/").json()
    assert (body["community"], body["donations"], body["rows"]) == ("jiaozi", 0, [])
    assert "交子社区" in _publicity_page("jiaozi")


# --- The statistics page ---------------------------------------------------------------------------


def _statistics() -> str:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/statistics/")
    assert response.status_code == 200
    return _seen(response)


def test_a_repeated_statistics_page_is_answered_without_a_query(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    community = CommunityFactory(city="成都市")
    HouseholdFactory.create_batch(2, community=community)
    refresh_statistics(this_month())

    # The nation's twelve months, and the latest month of its cities.
    with django_assert_num_queries(2):
        first = _statistics()
    with django_assert_num_queries(0):
        again = _statistics()

    assert again == first
    assert _page_figure(again, "Households") == "2"
    assert "四川省 成都市" in again


def test_statistics_refreshed_show_in_the_next_page(django_capture_on_commit_callbacks: OnCommit) -> None:
    community = CommunityFactory(city="成都市")
    HouseholdFactory.create_batch(2, community=community)
    refresh_statistics(this_month())
    assert _page_figure(_statistics(), "Households") == "2"

    HouseholdFactory.create_batch(3, community=community)
    with django_capture_on_commit_callbacks(execute=True):
        assert refresh_statistics(this_month()) == 3  # the community, its city and the nation
        assert _page_figure(_statistics(), "Households") == "2"  # not committed yet: the cached page

    html = _statistics()
    assert _page_figure(html, "Households") == "5"
    assert _page_figure(html, "Communities") == "1"
