import secrets
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from donors.models import CompassionFamily
from stores.models import EventKind, Item
from stores.services.items import IntakeLine, receive_donation, record_event
from tests.factories import HouseholdFactory, UserFactory
from tests.factories.stores import CategoryFactory, DeliveryFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered() -> Item:
    store = WarehouseFactory(name="一号库", public_place="水井坊社区义仓")
    family = CompassionFamily.objects.create(
        community=store.community,
        household=HouseholdFactory(community=store.community, name="王建国家"),
        public_name="王家",
        public_name_consent=True,
        consent_recorded_at=timezone.now(),
    )
    line = IntakeLine(
        category=CategoryFactory(),
        count=1,
        quantity=Decimal("10"),
        expires_on=timezone.localdate() + timedelta(days=90),
    )
    item = receive_donation(warehouse=store, lines=[line], by=UserFactory(), family=family).items.get()
    clerk = UserFactory()
    delivery = DeliveryFactory(plan__community=item.community, plan__warehouse=item.warehouse)
    record_event(item=item, kind=EventKind.DISPATCHED, by=clerk, delivery=delivery)
    record_event(item=item, kind=EventKind.DELIVERED, by=clerk)
    return item


def test_the_trace_shows_the_way_without_who_received_it(delivered: Item, django_assert_num_queries: object) -> None:
    recipient = HouseholdFactory(community=delivered.community, name="李秀英家", address="水井街8号")

    with django_assert_num_queries(2):  # type: ignore[operator]
        response = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/t/{delivered.code_display.lower()}")

    page = response.content.decode()
    trace = response.context["trace"]
    assert response.status_code == 200
    assert (trace.code, trace.category, trace.quantity, trace.donor) == (
        delivered.code_display,
        "大米",
        "10 kg",
        "王家",
    )
    assert [(s.what, s.where) for s in trace.steps] == [
        ("received", "水井坊社区义仓"),
        ("dispatched", "水井坊社区义仓"),
        ("delivered", f"a family of {delivered.community.name}"),
    ]
    assert recipient.name not in page
    assert recipient.address not in page
    assert "<script" not in page


def test_unknown_and_private_codes_answer_alike(delivered: Item) -> None:
    Item.objects.filter(pk=delivered.pk).update(public=False)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    private = client.get(f"/t/{delivered.code}")
    unknown = client.get("/t/" + "0" * 13 + "1")
    garbage = client.get("/t/hello")

    assert private.status_code == unknown.status_code == garbage.status_code == 404
    assert private.templates[0].name == unknown.templates[0].name == "stores/trace_unknown.html"
    assert "大米" not in private.content.decode()


def test_a_donor_without_consent_is_not_named(delivered: Item) -> None:
    CompassionFamily.objects.update(public_name_consent=False, public_name="")

    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/t/{delivered.code}")

    assert response.context["trace"].donor == "a compassion family"


def test_look_ups_are_rate_limited() -> None:
    # An address of its own: the counters live in the shared cache (Redis in CI) for a minute.
    client = Client(REMOTE_ADDR=f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}")

    statuses = [client.get("/t/" + "0" * 13 + "1").status_code for _ in range(60)]
    refused = client.get("/t/" + "0" * 13 + "1", HTTP_ACCEPT_LANGUAGE="en")

    assert statuses == [404] * 60
    assert (refused.status_code, refused["Retry-After"]) == (429, "60")
    assert "Please wait a minute and try again." in refused.content.decode()


def test_the_public_api_gives_the_same_trace(delivered: Item) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/api/v1/trace/{delivered.code}/")
    missing = Client().get("/api/v1/trace/nothing/")

    assert response.status_code == 200
    assert [step["what"] for step in response.json()["steps"]] == ["received", "dispatched", "delivered"]
    assert response.json()["community"] == delivered.community.name
    assert missing.status_code == 404
