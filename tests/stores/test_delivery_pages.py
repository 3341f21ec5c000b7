from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from stores.models import Delivery, DeliveryPlan, Item
from stores.services.delivery import family_code, reserve_item
from tests.clients import signed_in
from tests.factories import UserFactory, staff_of
from tests.factories.recipients import RecipientFamilyFactory
from tests.factories.stores import (
    FAMILY_CODE,
    DeliveryFactory,
    DeliveryPlanFactory,
    WarehouseFactory,
    out_for_delivery,
    stocked,
)
from tests.factories.volunteers import CentreFactory
from yicang.community.models import SensitiveAccess, StaffMembership

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


def _browser(user: object) -> Client:
    client = signed_in(user)  # type: ignore[arg-type]
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _door(delivery: Delivery) -> str:
    return reverse("stores:delivery-door", args=[delivery.pk])


def test_the_plans_list_is_scoped_and_its_query_count_is_pinned(django_assert_num_queries: object) -> None:
    plan = DeliveryPlanFactory()
    DeliveryFactory(plan=plan)
    DeliveryPlanFactory()  # another community's
    client = _browser(staff_of(plan.community))
    url = reverse("stores:delivery-plans", args=[plan.community.code])

    with django_assert_num_queries(10):  # type: ignore[operator]
        first = client.get(url)
    for _n in range(5):
        DeliveryFactory(plan=DeliveryPlanFactory(community=plan.community))
    with django_assert_num_queries(10):  # type: ignore[operator]
        client.get(url)

    assert first.status_code == 200
    assert [p.pk for p in first.context["plans"]] == [plan.pk]
    assert "0 of 1 delivered · 0 on the way · 0 not delivered" in first.content.decode()
    assert (
        _browser(staff_of(plan.community))
        .get(reverse("stores:delivery-plans", args=[DeliveryPlanFactory().community.code]))
        .status_code
        == 404
    )


def test_staff_start_a_plan_from_the_list() -> None:
    centre = CentreFactory()
    store = WarehouseFactory(community=centre.community)
    manager = staff_of(centre.community)
    day = timezone.localdate() + timedelta(days=2)

    response = _browser(manager).post(
        reverse("stores:delivery-plans", args=[centre.community.code]),
        {"centre": centre.pk, "warehouse": store.pk, "planned_for": day.isoformat(), "note": "周六"},
    )

    plan = DeliveryPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("stores:delivery-plan", args=[plan.pk])
    assert (plan.centre, plan.warehouse, plan.planned_for, plan.created_by) == (centre, store, day, manager)


def test_a_past_day_is_refused_on_the_page() -> None:
    centre = CentreFactory()
    store = WarehouseFactory(community=centre.community)
    yesterday = timezone.localdate() - timedelta(days=1)

    response = _browser(staff_of(centre.community)).post(
        reverse("stores:delivery-plans", args=[centre.community.code]),
        {"centre": centre.pk, "warehouse": store.pk, "planned_for": yesterday.isoformat()},
    )

    assert response.status_code == 400
    assert "The planned day has passed" in response.content.decode()
    assert not DeliveryPlan.objects.exists()


def test_planners_see_the_family_codes_the_warehouse_does_not(django_assert_num_queries: object) -> None:
    delivery = DeliveryFactory()
    stocked(delivery.plan.warehouse, 2)
    url = reverse("stores:delivery-plan", args=[delivery.plan_id])
    planner = _browser(staff_of(delivery.community))
    keeper = _browser(staff_of(delivery.community, role=StaffMembership.Role.WAREHOUSE))

    with django_assert_num_queries(9):  # type: ignore[operator]
        planned = planner.get(url).content.decode()
    kept = keeper.get(url).content.decode()

    assert FAMILY_CODE in planned
    assert delivery.family.household.name in planned
    assert FAMILY_CODE not in kept
    assert delivery.family.household.address not in planned
    assert 'id="dispatch-code" name="code" data-scan autofocus' in kept


def test_the_plan_page_query_count_does_not_grow_with_families(django_assert_num_queries: object) -> None:
    plan = DeliveryPlanFactory()
    client = _browser(staff_of(plan.community))
    url = reverse("stores:delivery-plan", args=[plan.pk])
    for _n in range(6):
        reserve_item(delivery=DeliveryFactory(plan=plan), item=stocked(plan.warehouse)[0], by=UserFactory())

    with django_assert_num_queries(9):  # type: ignore[operator]
        response = client.get(url)

    assert len(response.context["rows"]) == 6


def test_another_communitys_plan_and_door_are_not_found() -> None:
    delivery = DeliveryFactory()
    stranger = _browser(staff_of(DeliveryPlanFactory().community))

    assert stranger.get(reverse("stores:delivery-plan", args=[delivery.plan_id])).status_code == 404
    assert stranger.get(_door(delivery)).status_code == 404
    assert stranger.get(reverse("stores:delivery-plan-live", args=[delivery.plan_id])).status_code == 404


def test_families_are_added_and_items_reserved_then_released_from_the_plan_page() -> None:
    plan = DeliveryPlanFactory()
    family = RecipientFamilyFactory(household__community=plan.community, status="active")
    [item] = stocked(plan.warehouse)
    client = _browser(staff_of(plan.community))

    added = client.post(reverse("stores:delivery-add-family", args=[plan.pk]), {"family": family.pk})
    delivery = Delivery.objects.get()
    reserved = client.post(reverse("stores:delivery-reserve", args=[delivery.pk]), {"code": item.code_display})
    status_reserved = Item.objects.get(pk=item.pk).status
    released = client.post(reverse("stores:delivery-release", args=[delivery.pk]), {"code": item.code})

    plan_url = reverse("stores:delivery-plan", args=[plan.pk])
    assert (added.status_code, added["Location"]) == (302, f"{plan_url}#visit-{delivery.pk}")
    assert (delivery.family, len(family_code(delivery))) == (family, 6)
    assert (reserved.status_code, status_reserved) == (302, "reserved")
    assert released.status_code == 302
    assert Item.objects.get(pk=item.pk).status == "in_stock"


def test_the_warehouse_role_may_not_add_families() -> None:
    plan = DeliveryPlanFactory()
    family = RecipientFamilyFactory(household__community=plan.community, status="active")
    keeper = _browser(staff_of(plan.community, role=StaffMembership.Role.WAREHOUSE))

    response = keeper.post(reverse("stores:delivery-add-family", args=[plan.pk]), {"family": family.pk})

    assert response.status_code == 403
    assert not Delivery.objects.exists()


def test_scanning_dispatches_to_the_reserved_family_and_a_second_scan_is_a_409() -> None:
    delivery = DeliveryFactory()
    [item] = stocked(delivery.plan.warehouse)
    reserve_item(delivery=delivery, item=item, by=UserFactory())
    client = _browser(staff_of(delivery.community, role=StaffMembership.Role.WAREHOUSE))
    url = reverse("stores:delivery-dispatch", args=[delivery.plan_id])

    first = client.post(url, {"code": item.code_display.lower()})
    again = client.post(url, {"code": item.code_display})

    assert first.status_code == 302
    assert Item.objects.filter(pk=item.pk, status="dispatched", delivery=delivery).exists()
    assert again.status_code == 409
    assert f"{item.code_display} is out for delivery: it cannot be dispatched now." in again.content.decode()
    assert item.events.count() == 3


def test_scanning_an_unreserved_item_needs_a_family_and_an_unknown_code_is_a_404() -> None:
    delivery = DeliveryFactory()
    [item] = stocked(delivery.plan.warehouse)
    client = _browser(staff_of(delivery.community))
    url = reverse("stores:delivery-dispatch", args=[delivery.plan_id])

    unchosen = client.post(url, {"code": item.code})
    unknown = client.post(url, {"code": "nonsense"})
    chosen = client.post(url, {"code": item.code, "delivery": delivery.pk})

    assert unchosen.status_code == 400
    assert "is reserved for no family of this plan: choose the family" in unchosen.content.decode()
    assert unknown.status_code == 404
    assert chosen.status_code == 302
    assert Item.objects.get(pk=item.pk).status == "dispatched"


def test_the_door_page_shows_the_items_and_the_household_name_only() -> None:
    delivery, [item] = out_for_delivery()
    volunteer = _browser(staff_of(delivery.community, role=StaffMembership.Role.STAFF))

    page = volunteer.get(_door(delivery)).content.decode()

    assert delivery.family.household.name in page
    assert item.code_display in page
    assert "大米 10 kg" in page
    assert delivery.family.household.address not in page
    assert FAMILY_CODE not in page
    assert 'capture="environment"' in page


def test_the_family_code_confirms_at_the_door_and_a_second_confirmation_is_a_409() -> None:
    delivery, [item] = out_for_delivery()
    volunteer = _browser(staff_of(delivery.community, role=StaffMembership.Role.STAFF))

    wrong = volunteer.post(_door(delivery), {"action": "code", "code": "000000"})
    right = volunteer.post(_door(delivery), {"action": "code", "code": FAMILY_CODE})
    again = volunteer.post(_door(delivery), {"action": "code", "code": FAMILY_CODE})

    assert wrong.status_code == 400
    assert "That is not the family&#x27;s code. 4 tries left." in wrong.content.decode()
    assert right.status_code == 302
    assert Delivery.objects.filter(pk=delivery.pk, status="delivered", confirmation="family_code").exists()
    assert again.status_code == 409
    assert "This delivery was confirmed already, at " in again.content.decode()
    assert item.events.filter(kind="delivered").count() == 1


def test_a_photo_confirms_at_the_door() -> None:
    delivery, _items = out_for_delivery()
    buffer = BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "JPEG")
    photo = SimpleUploadedFile("door.jpg", buffer.getvalue(), content_type="image/jpeg")

    response = _browser(staff_of(delivery.community)).post(_door(delivery), {"action": "photo", "photo": photo})

    assert response.status_code == 302
    assert Delivery.objects.get(pk=delivery.pk).confirmation == "photo"


def test_not_home_is_recorded_at_the_door() -> None:
    delivery, [item] = out_for_delivery()

    response = _browser(staff_of(delivery.community)).post(
        _door(delivery), {"action": "not_delivered", "reason": "家中无人"}
    )

    assert response.status_code == 302
    assert Delivery.objects.filter(pk=delivery.pk, status="failed", note="家中无人").exists()
    assert Item.objects.get(pk=item.pk).status == "in_stock"


def test_the_live_state_follows_the_door(django_assert_num_queries: object) -> None:
    delivery, _items = out_for_delivery()
    client = _browser(staff_of(delivery.community))
    url = reverse("stores:delivery-plan-live", args=[delivery.plan_id])
    before = client.get(url).json()
    client.post(_door(delivery), {"action": "code", "code": FAMILY_CODE})

    with django_assert_num_queries(7):  # type: ignore[operator]
        after = client.get(url).json()

    assert [(d["id"], d["status"], d["label"]) for d in before["deliveries"]] == [(delivery.pk, "out", "on the way")]
    assert [(d["id"], d["status"]) for d in after["deliveries"]] == [(delivery.pk, "delivered")]
    assert after["deliveries"][0]["at"] != ""
    assert after["summary"] == "1 of 1 delivered · 0 on the way · 0 not delivered"
    assert after["plan"] == {"status": "out", "label": "out for delivery"}


def test_closing_the_plan_from_its_page_returns_the_items() -> None:
    delivery, [item] = out_for_delivery()

    response = _browser(staff_of(delivery.community)).post(reverse("stores:delivery-close", args=[delivery.plan_id]))
    again = _browser(staff_of(delivery.community)).post(reverse("stores:delivery-close", args=[delivery.plan_id]))

    assert response.status_code == 302
    assert DeliveryPlan.objects.get(pk=delivery.plan_id).status == "closed"
    assert Item.objects.get(pk=item.pk).status == "in_stock"
    assert again.status_code == 409
    assert "The plan was closed already." in again.content.decode()


def test_the_plan_changelist_is_scoped_and_its_query_count_pinned(django_assert_num_queries: object) -> None:
    delivery, _items = out_for_delivery()
    DeliveryPlanFactory()  # another community's
    client = _browser(staff_of(delivery.community))
    url = reverse("admin:stores_deliveryplan_changelist")

    with django_assert_num_queries(10):  # type: ignore[operator]
        first = client.get(url)
    for _n in range(5):
        DeliveryFactory(plan=DeliveryPlanFactory(community=delivery.community))
    with django_assert_num_queries(10):  # type: ignore[operator]
        more = client.get(url)

    assert [p.pk for p in first.context["cl"].result_list] == [delivery.plan_id]
    assert len(more.context["cl"].result_list) == 6
    assert "0 / 1" in first.content.decode()


def test_the_delivery_changelist_query_count_is_pinned(django_assert_num_queries: object) -> None:
    plan = DeliveryPlanFactory()
    client = _browser(staff_of(plan.community))
    url = reverse("admin:stores_delivery_changelist")
    DeliveryFactory(plan=plan)

    with django_assert_num_queries(7):  # type: ignore[operator]
        client.get(url)
    for _n in range(5):
        DeliveryFactory(plan=plan)
    with django_assert_num_queries(7):  # type: ignore[operator]
        response = client.get(url, {"status": "planned"})

    assert len(response.context["cl"].result_list) == 6


def test_the_plan_admin_is_read_only_and_closes_through_the_service() -> None:
    delivery, [item] = out_for_delivery()
    client = _browser(staff_of(delivery.community))

    page = client.get(reverse("admin:stores_deliveryplan_change", args=[delivery.plan_id])).content.decode()
    response = client.post(
        reverse("admin:stores_deliveryplan_changelist"),
        {"action": "close_plans", "_selected_action": [delivery.plan_id]},
    )

    assert 'name="_save"' not in page
    assert delivery.family.household.name in page
    assert response.status_code == 302
    assert DeliveryPlan.objects.get(pk=delivery.plan_id).status == "closed"
    assert Item.objects.get(pk=item.pk).status == "in_stock"
    assert item.events.last().kind == "returned"  # type: ignore[union-attr]


def test_the_delivery_admin_marks_not_delivered_with_a_reason() -> None:
    delivery, [item] = out_for_delivery()
    client = _browser(staff_of(delivery.community))
    url = reverse("admin:stores_delivery_changelist")
    chosen = {"action": "mark_not_delivered", "_selected_action": [delivery.pk]}

    prompt = client.post(url, chosen)
    done = client.post(url, {**chosen, "apply": "1", "reason": "搬家了"})

    assert prompt.status_code == 200
    assert Delivery.objects.get(pk=delivery.pk).status == "failed"
    assert done.status_code == 302
    assert item.events.last().reason == "搬家了"  # type: ignore[union-attr]


def test_the_proof_photo_is_shown_to_staff_of_the_community_and_each_look_logged() -> None:
    delivery, _items = out_for_delivery()
    buffer = BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "JPEG")
    photo = SimpleUploadedFile("door.jpg", buffer.getvalue(), content_type="image/jpeg")
    _browser(staff_of(delivery.community)).post(_door(delivery), {"action": "photo", "photo": photo})
    url = reverse("admin:stores_delivery_photo", args=[delivery.pk])
    manager = staff_of(delivery.community)

    shown = _browser(manager).get(url)
    foreign = _browser(staff_of(DeliveryPlanFactory().community)).get(url)

    assert shown.status_code == 200
    assert b"".join(shown.streaming_content).startswith(b"\xff\xd8")  # type: ignore[attr-defined]
    assert foreign.status_code == 404
    assert list(SensitiveAccess.objects.values_list("user", "field", "action")) == [(manager.pk, "photo", "reveal")]
