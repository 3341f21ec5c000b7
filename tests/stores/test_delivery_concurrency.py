"""Twenty staff at once on the same item or visit: one succeeds, the others get a conflict (PostgreSQL locks)."""

from collections import Counter

import pytest
from rest_framework.test import APIClient

from stores.exceptions import AlreadyDelivered
from stores.models import Delivery, DeliveryPlan, Item, ItemEvent
from stores.services.delivery import close_plan, confirm_delivery, dispatch_item
from tests.concurrency import race
from tests.factories import UserFactory, staff_of
from tests.factories.stores import FAMILY_CODE, DeliveryFactory, DeliveryPlanFactory, out_for_delivery, stocked
from yicang.community.models import StaffMembership

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres")]

RACERS = 20


def _outcomes(results: list[object]) -> Counter[str]:
    return Counter(type(result).__name__ for result in results)


def test_twenty_staff_dispatching_one_item_onto_two_visits_one_succeeds() -> None:
    first = DeliveryFactory()
    # Another plan from the same warehouse: the item's own lock, not the plan's, decides.
    second = DeliveryFactory(
        plan=DeliveryPlanFactory(community=first.community, warehouse=first.plan.warehouse),
        family__household__community=first.community,
    )
    [item] = stocked(first.plan.warehouse)
    clerks = [UserFactory() for _n in range(RACERS)]

    results = race(
        [
            lambda clerk=clerk, visit=visit: dispatch_item(item=item, delivery=visit, by=clerk)
            for clerk, visit in zip(clerks, [first, second] * (RACERS // 2), strict=True)
        ]
    )

    assert _outcomes(results) == Counter({"ItemEvent": 1, "ItemNotMovable": RACERS - 1})
    winner = Item.objects.get(pk=item.pk).delivery
    assert ItemEvent.objects.filter(item=item, kind="dispatched").count() == 1
    assert ItemEvent.objects.get(item=item, kind="dispatched").delivery == winner
    assert sorted(Delivery.objects.values_list("status", flat=True)) == ["out", "planned"]


def test_twenty_volunteers_confirming_one_visit_one_succeeds() -> None:
    delivery, items = out_for_delivery(2)

    results = race([lambda: confirm_delivery(delivery=delivery, by=UserFactory(), code=FAMILY_CODE)] * RACERS)

    assert _outcomes(results) == Counter({"Delivery": 1, "AlreadyDelivered": RACERS - 1})
    assert all(r.status == 409 for r in results if isinstance(r, AlreadyDelivered))
    assert ItemEvent.objects.filter(item__in=items, kind="delivered").count() == 2
    assert Delivery.objects.get(pk=delivery.pk).status == "delivered"


def test_twenty_wrong_codes_at_once_are_all_counted_and_stop_at_five() -> None:
    delivery, _items = out_for_delivery()

    results = race([lambda: confirm_delivery(delivery=delivery, by=UserFactory(), code="000000")] * RACERS)

    assert _outcomes(results) == Counter({"WrongFamilyCode": 5, "FamilyCodeLocked": RACERS - 5})
    assert Delivery.objects.get(pk=delivery.pk).wrong_codes == 5


def test_twenty_write_offs_of_one_item_through_the_api_one_succeeds() -> None:
    [item] = stocked(DeliveryFactory().plan.warehouse)
    keeper = staff_of(item.community, role=StaffMembership.Role.WAREHOUSE)

    def write_off() -> int:
        client = APIClient()
        client.force_login(keeper)
        return client.post(f"/api/v1/items/{item.code}/write-off/", {"reason": "过期"}, format="json").status_code

    results = race([write_off] * RACERS)

    assert Counter(results) == Counter({200: 1, 409: RACERS - 1})
    assert ItemEvent.objects.filter(item=item, kind="written_off").count() == 1


def test_twenty_dispatches_through_the_api_one_succeeds() -> None:
    delivery = DeliveryFactory()
    [item] = stocked(delivery.plan.warehouse)
    keeper = staff_of(delivery.community, role=StaffMembership.Role.WAREHOUSE)

    def dispatch() -> int:
        client = APIClient()
        client.force_login(keeper)
        url = f"/api/v1/items/{item.code}/dispatch/"
        return client.post(url, {"delivery": delivery.pk}, format="json").status_code

    results = race([dispatch] * RACERS)

    assert Counter(results) == Counter({200: 1, 409: RACERS - 1})
    assert ItemEvent.objects.filter(item=item, kind="dispatched").count() == 1


def test_closing_a_plan_while_volunteers_confirm_leaves_no_item_half_way() -> None:
    plan = DeliveryPlanFactory()
    visits = [out_for_delivery(plan=plan, family__household__community=plan.community)[0] for _n in range(RACERS - 1)]

    results = race(
        [lambda: close_plan(plan=plan, by=UserFactory())]
        + [lambda visit=visit: confirm_delivery(delivery=visit, by=UserFactory(), code=FAMILY_CODE) for visit in visits]
    )

    outcomes = _outcomes(results)
    assert outcomes["DeliveryPlan"] == 1
    assert outcomes["Delivery"] + outcomes["DeliveryConflict"] == RACERS - 1
    assert DeliveryPlan.objects.get(pk=plan.pk).status == "closed"
    # Each visit either was delivered before the plan closed, or failed with its items back in stock.
    for visit in Delivery.objects.filter(plan=plan):
        statuses = set(Item.objects.filter(events__delivery=visit).values_list("status", flat=True))
        assert (visit.status, statuses) in [("delivered", {"delivered"}), ("failed", {"in_stock"})]
