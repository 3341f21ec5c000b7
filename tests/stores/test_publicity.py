from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from stores.models import Delivery, EventKind, Item, MonthlyCategoryCount, MonthlySummary
from stores.selectors.public import month_publicity
from stores.services.counts import refresh_monthly_counts
from stores.services.items import IntakeLine, receive_donation, record_event
from stores.tasks import refresh_monthly_counts_task
from tests.clients import api, signed_in
from tests.factories import UserFactory, staff_of
from tests.factories.donors import AssistantEnterpriseFactory, CompassionFamilyFactory
from tests.factories.stores import CategoryFactory, DeliveryFactory, WarehouseFactory
from yicang.core.months import add_months, month_bounds, this_month

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


def _line(name: str, count: int, quantity: str) -> IntakeLine:
    category = CategoryFactory(name=name, unit="kg", perishable=False)
    return IntakeLine(category=category, count=count, quantity=Decimal(quantity))


def _deliver(item: Item, family_delivery: object) -> None:
    clerk = UserFactory()
    record_event(item=item, kind=EventKind.DISPATCHED, by=clerk, delivery=family_delivery)  # type: ignore[arg-type]
    record_event(item=item, kind=EventKind.DELIVERED, by=clerk)


def _a_month_of_the_store() -> WarehouseFactory:
    """Rice and flour in from a named family, an unnamed enterprise and an anonymous donor; some given out."""
    store = WarehouseFactory()
    clerk = UserFactory()
    named = CompassionFamilyFactory(consenting=True, community=store.community, household__name="王家")
    unnamed = AssistantEnterpriseFactory(community=store.community, name="不愿具名的公司")
    receive_donation(warehouse=store, lines=[_line("大米", 4, "10"), _line("面粉", 2, "5")], by=clerk, family=named)
    receive_donation(warehouse=store, lines=[_line("大米", 1, "25")], by=clerk, enterprise=unnamed)
    receive_donation(warehouse=store, lines=[_line("面粉", 1, "2.5")], by=clerk)
    rice = list(Item.objects.filter(category__name="大米").order_by("pk"))
    first = DeliveryFactory(plan__community=store.community, plan__warehouse=store)
    second = DeliveryFactory(plan=first.plan)
    _deliver(rice[0], first)
    _deliver(rice[1], first)
    _deliver(rice[2], second)
    record_event(item=rice[3], kind=EventKind.SOLD, by=clerk)
    record_event(item=rice[4], kind=EventKind.WRITTEN_OFF, by=clerk, reason="受潮")
    return store


def test_a_month_is_counted_by_category_from_the_item_events() -> None:
    store = _a_month_of_the_store()
    other = WarehouseFactory()
    receive_donation(warehouse=other, lines=[_line("大米", 3, "10")], by=UserFactory())

    written = refresh_monthly_counts(this_month())

    assert written == 5  # three category rows and two community summaries
    rows = MonthlyCategoryCount.objects.filter(community=store.community).order_by("category__name")
    assert [
        (
            r.category.name,
            r.items_in,
            r.quantity_in,
            r.items_delivered,
            r.quantity_delivered,
            r.items_sold,
            r.items_written_off,
        )
        for r in rows
    ] == [
        ("大米", 5, Decimal("65.00"), 3, Decimal("30.00"), 1, 1),
        ("面粉", 3, Decimal("12.50"), 0, Decimal("0.00"), 0, 0),
    ]
    summary = MonthlySummary.objects.get(community=store.community)
    assert (summary.month, summary.donations, summary.families_served) == (this_month(), 3, 2)
    assert MonthlySummary.objects.get(community=other.community).donations == 1


def test_recounting_replaces_the_month_and_leaves_other_months() -> None:
    store = _a_month_of_the_store()
    refresh_monthly_counts(this_month())
    receive_donation(warehouse=store, lines=[_line("面粉", 1, "1")], by=UserFactory())

    refresh_monthly_counts(this_month())
    refresh_monthly_counts(add_months(this_month(), 1))

    flour = MonthlyCategoryCount.objects.get(community=store.community, category__name="面粉")
    assert (flour.month, flour.items_in, flour.quantity_in) == (this_month(), 4, Decimal("13.50"))
    assert MonthlyCategoryCount.objects.count() == 2
    assert MonthlySummary.objects.get(community=store.community).donations == 4


def test_months_begin_at_midnight_in_shanghai() -> None:
    start, end = month_bounds(date(2026, 12, 15))

    assert start.isoformat() == "2026-12-01T00:00:00+08:00"
    assert end.isoformat() == "2027-01-01T00:00:00+08:00"


def test_the_worker_recounts_this_month_or_the_month_it_is_given() -> None:
    _a_month_of_the_store()

    assert refresh_monthly_counts_task.delay(month="2025-02").get() == ["2025-02"]
    assert not MonthlyCategoryCount.objects.exists()
    months = refresh_monthly_counts_task.delay().get()

    assert months[-1] == f"{this_month():%Y-%m}"
    assert MonthlyCategoryCount.objects.filter(month=this_month()).count() == 2
    with pytest.raises(ValueError, match="not a month"):
        refresh_monthly_counts_task.delay(month="2025-13").get()


def test_the_publicity_names_only_consenting_donors_and_never_a_family_served() -> None:
    store = _a_month_of_the_store()
    refresh_monthly_counts(this_month())

    publicity = month_publicity(store.community, this_month())

    assert publicity.donors_named == ["王家"]
    assert (publicity.donations, publicity.named_donations, publicity.unnamed_donations) == (3, 1, 2)
    assert publicity.families_served == 2
    assert [(row.category, row.items_in, row.items_delivered) for row in publicity.rows] == [
        ("大米", 5, 3),
        ("面粉", 3, 0),
    ]


def test_the_public_page_shows_the_month_without_any_recipient(django_assert_max_num_queries: object) -> None:
    store = _a_month_of_the_store()
    refresh_monthly_counts(this_month())
    served = list(Delivery.objects.filter(community=store.community).values_list("family__household__name", flat=True))

    with django_assert_max_num_queries(5):  # type: ignore[operator]
        response = Client().get(f"/c/{store.community.code}/publicity/", HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert response.status_code == 200
    assert "王家" in page
    assert "不愿具名的公司" not in page
    assert "2 donations came from donors who prefer not to be named." in page
    assert "5 items, 65 kg" in page
    assert "3 items, 30 kg" in page
    assert len(served) == 2
    for name in served:
        assert name not in page


def test_the_page_answers_for_past_months_and_refuses_future_or_malformed_ones() -> None:
    store = _a_month_of_the_store()
    url = f"/c/{store.community.code}/publicity/"
    last_month = add_months(this_month(), -1)

    past = Client().get(url, {"month": f"{last_month:%Y-%m}"}, HTTP_ACCEPT_LANGUAGE="en")

    assert past.status_code == 200
    assert "Nothing has been counted for this month." in past.content.decode()
    next_month = add_months(this_month(), 1)
    assert Client().get(url, {"month": f"{next_month:%Y-%m}"}).status_code == 404
    assert Client().get(url, {"month": "2026-1"}).status_code == 404
    assert Client().get("/c/no-such-community/publicity/").status_code == 404


def test_the_public_api_gives_the_same_month_and_refuses_a_bad_one() -> None:
    store = _a_month_of_the_store()
    refresh_monthly_counts(this_month())
    url = f"/api/v1/publicity/{store.community.code}/"

    body = api().get(url).json()

    assert {key: body[key] for key in ["community", "month", "donations", "families_served", "unnamed_donations"]} == {
        "community": store.community.code,
        "month": f"{this_month():%Y-%m-%d}",
        "donations": 3,
        "families_served": 2,
        "unnamed_donations": 2,
    }
    assert body["donors_named"] == ["王家"]
    assert body["rows"][0] == {
        "category": "大米",
        "unit": "kg",
        "items_in": 5,
        "quantity_in": "65.00",
        "items_delivered": 3,
        "quantity_delivered": "30.00",
        "items_sold": 1,
        "items_written_off": 1,
    }
    bad = api().get(url, {"month": "2026/11"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400
    assert bad.json() == {"month": "Give a past or the current month as YYYY-MM."}


def test_managers_read_the_counts_in_the_admin_of_their_community_only(
    django_assert_max_num_queries: object,
) -> None:
    mine, theirs = _a_month_of_the_store(), WarehouseFactory()
    receive_donation(warehouse=theirs, lines=[_line("油", 2, "1")], by=UserFactory())
    refresh_monthly_counts(this_month())
    client = signed_in(staff_of(mine.community))

    with django_assert_max_num_queries(12):  # type: ignore[operator]
        counts = client.get(reverse("admin:stores_monthlycategorycount_changelist"))
    summaries = client.get(reverse("admin:stores_monthlysummary_changelist"))

    assert counts.status_code == summaries.status_code == 200
    assert list(counts.context["cl"].result_list.values_list("category__name", flat=True)) == ["大米", "面粉"]
    assert [s.community for s in summaries.context["cl"].result_list] == [mine.community]
