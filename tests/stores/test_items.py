from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone, translation

from donors.models import CompassionFamily
from stores.exceptions import IntakeError, ItemNotMovable, UnknownCode
from stores.models import Donation, EventKind, Item, ItemEvent
from stores.services.items import IntakeLine, find_item, receive_donation, record_event
from tests.concurrency import race
from tests.factories import HouseholdFactory, UserFactory, staff_of
from tests.factories.stores import CategoryFactory, DeliveryFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


def _rice(count: int = 3, **kwargs: object) -> IntakeLine:
    return IntakeLine(
        category=CategoryFactory(),
        count=count,
        quantity=Decimal("10"),
        expires_on=timezone.localdate() + timedelta(days=180),
        **kwargs,  # type: ignore[arg-type]
    )


def _donation(count: int = 3) -> Item:
    warehouse = WarehouseFactory()
    family = CompassionFamily.objects.create(
        community=warehouse.community, household=HouseholdFactory(community=warehouse.community)
    )
    receive_donation(warehouse=warehouse, lines=[_rice(count)], by=UserFactory(), family=family)
    return Item.objects.order_by("pk").first()  # type: ignore[return-value]


def test_one_intake_gives_each_physical_item_its_own_code_and_history() -> None:
    warehouse = WarehouseFactory()
    clerk = UserFactory()
    oil = IntakeLine(
        category=CategoryFactory(name="食用油", unit="瓶", perishable=False), count=2, quantity=Decimal("5")
    )

    donation = receive_donation(warehouse=warehouse, lines=[_rice(20), oil], by=clerk)

    items = list(donation.items.order_by("pk"))
    assert len(items) == 22
    assert len({item.code for item in items}) == 22
    assert [(i.category.name, i.quantity, i.unit, i.status) for i in items[-2:]] == [
        ("食用油", Decimal("5.00"), "瓶", "in_stock"),
        ("食用油", Decimal("5.00"), "瓶", "in_stock"),
    ]
    assert set(ItemEvent.objects.values_list("kind", "from_status", "to_status", "by")) == {
        ("received", "", "in_stock", clerk.pk)
    }
    assert ItemEvent.objects.count() == 22


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (lambda: _rice(0), "number of items must be between 1 and 500"),
        (lambda: _rice(501), "number of items must be between 1 and 500"),
        (lambda: IntakeLine(category=CategoryFactory(), count=1, quantity=Decimal("1")), "needs an expiry date"),
        (
            lambda: IntakeLine(
                category=CategoryFactory(), count=1, quantity=Decimal("0"), expires_on=timezone.localdate()
            ),
            "more than zero",
        ),
        (
            lambda: IntakeLine(
                category=CategoryFactory(),
                count=1,
                quantity=Decimal("1"),
                expires_on=timezone.localdate() - timedelta(days=1),
            ),
            "expiry date has passed",
        ),
    ],
)
def test_a_bad_line_is_refused_and_nothing_is_written(line: object, message: str) -> None:
    with pytest.raises(IntakeError, match=message):
        receive_donation(warehouse=WarehouseFactory(), lines=[line()], by=UserFactory())  # type: ignore[operator]

    assert not Item.objects.exists()
    assert not ItemEvent.objects.exists()


def test_a_donor_of_another_community_is_refused() -> None:
    other = HouseholdFactory()
    family = CompassionFamily.objects.create(community=other.community, household=other)

    with pytest.raises(IntakeError, match="belongs to another community"):
        receive_donation(warehouse=WarehouseFactory(), lines=[_rice(1)], by=UserFactory(), family=family)
    assert not Item.objects.exists()


def test_steps_follow_the_allowed_transitions() -> None:
    item, clerk = _donation(1), UserFactory()

    delivery = DeliveryFactory(plan__community=item.community, plan__warehouse=item.warehouse)
    record_event(item=item, kind=EventKind.RESERVED, by=clerk, delivery=delivery)
    record_event(item=item, kind=EventKind.DISPATCHED, by=clerk)
    with pytest.raises(ItemNotMovable, match="is out for delivery: it cannot be sold at a market now") as error:
        record_event(item=item, kind=EventKind.SOLD, by=clerk)
    record_event(item=item, kind=EventKind.DELIVERED, by=clerk)

    assert error.value.status == 409
    assert list(item.events.values_list("kind", "from_status", "to_status")) == [
        ("received", "", "in_stock"),
        ("reserved", "in_stock", "reserved"),
        ("dispatched", "reserved", "dispatched"),
        ("delivered", "dispatched", "delivered"),
    ]
    assert Item.objects.get(pk=item.pk).status == "delivered"
    assert Item.objects.get(pk=item.pk).delivery == delivery
    assert [event.delivery for event in item.events.all()] == [None, delivery, delivery, delivery]


def test_writing_off_and_correcting_need_a_reason() -> None:
    item, clerk = _donation(1), UserFactory()

    with pytest.raises(IntakeError, match="Say why"):
        record_event(item=item, kind=EventKind.WRITTEN_OFF, by=clerk)
    record_event(item=item, kind=EventKind.WRITTEN_OFF, by=clerk, reason="受潮发霉")
    record_event(item=item, kind=EventKind.CORRECTED, by=clerk, reason="登记错了，实物完好")

    assert Item.objects.get(pk=item.pk).status == "in_stock"
    assert item.events.count() == 3


def test_moving_changes_where_the_item_is() -> None:
    item = _donation(1)
    stop = WarehouseFactory(community=item.community, name="义仓站", kind="stop")

    record_event(item=item, kind=EventKind.MOVED, by=UserFactory(), warehouse=stop)

    assert Item.objects.get(pk=item.pk).warehouse == stop
    assert item.events.last().warehouse == stop  # type: ignore[union-attr]


def test_staff_find_items_of_their_community_by_code_only() -> None:
    item = _donation(1)
    mine, stranger = staff_of(item.community), staff_of(WarehouseFactory().community)

    found = find_item(item.code_display.lower(), user=mine)

    assert found == item
    with pytest.raises(UnknownCode):
        find_item(item.code, user=stranger)
    with pytest.raises(UnknownCode):
        find_item("not a code", user=mine)


def test_events_refuse_to_be_changed_through_the_orm() -> None:
    item = _donation(1)

    with pytest.raises(TypeError, match="append-only"):
        ItemEvent.objects.filter(item=item).delete()
    event = item.events.get()
    event.reason = "x"
    with pytest.raises(TypeError, match="append-only"):
        event.save()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres")
def test_twenty_staff_writing_off_the_same_item_at_once_one_succeeds() -> None:
    item, clerk = _donation(1), UserFactory()

    outcomes = race([lambda: record_event(item=item, kind=EventKind.WRITTEN_OFF, by=clerk, reason="过期")] * 20)

    assert sorted({type(o).__name__ for o in outcomes}) == ["ItemEvent", "ItemNotMovable"]
    assert [type(o).__name__ for o in outcomes].count("ItemEvent") == 1
    assert item.events.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres")
def test_postgres_refuses_a_status_that_disagrees_with_the_history() -> None:
    item = _donation(1)

    with pytest.raises(IntegrityError, match="but its history says in_stock"), transaction.atomic():
        Item.objects.filter(pk=item.pk).update(status="delivered")
    with pytest.raises(IntegrityError, match="itemevent_allowed_transition"), transaction.atomic():
        ItemEvent.objects.bulk_create(
            [
                ItemEvent(
                    item=item,
                    kind="delivered",
                    from_status="in_stock",
                    to_status="delivered",
                    by=item.donation.received_by,
                )
            ]
        )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM stores_itemevent")

    assert Item.objects.get(pk=item.pk).status == "in_stock"
    assert item.events.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres")
def test_twenty_submissions_of_one_intake_form_at_once_record_one_donation() -> None:
    warehouse, clerk, key = WarehouseFactory(), UserFactory(), uuid4()

    outcomes = race([lambda: receive_donation(warehouse=warehouse, lines=[_rice(3)], by=clerk, key=key)] * 20)

    donation = Donation.objects.get()
    assert outcomes == [donation] * 20
    assert (donation.intake_key, donation.items.count(), ItemEvent.objects.count()) == (key, 3, 3)
