from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from stores.models import Delivery, Item
from stores.services.delivery import reserve_item
from tests.clients import api
from tests.factories import UserFactory, staff_of
from tests.factories.stores import FAMILY_CODE, DeliveryFactory, DeliveryPlanFactory, out_for_delivery, stocked
from yicang.community.models import StaffMembership

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


def _client(user: object) -> object:
    client = api(user)  # type: ignore[arg-type]
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_plans_are_listed_with_their_counts_and_scoped(django_assert_num_queries: object) -> None:
    delivery, _items = out_for_delivery()
    DeliveryFactory(plan=delivery.plan)
    DeliveryPlanFactory()  # another community's
    client = _client(staff_of(delivery.community))

    with django_assert_num_queries(6):  # type: ignore[operator]
        response = client.get("/api/v1/delivery-plans/")  # type: ignore[attr-defined]
    for _n in range(4):
        DeliveryFactory(plan=DeliveryPlanFactory(community=delivery.community))
    with django_assert_num_queries(6):  # type: ignore[operator]
        more = client.get("/api/v1/delivery-plans/")  # type: ignore[attr-defined]

    assert response.status_code == 200
    [plan] = response.json()["results"]
    assert (plan["id"], plan["status"], plan["visits"], plan["visits_out"], plan["visits_delivered"]) == (
        delivery.plan_id,
        "out",
        2,
        1,
        0,
    )
    assert more.json()["count"] == 5


def test_a_plan_shows_its_visits_without_codes_or_addresses(django_assert_num_queries: object) -> None:
    delivery, [item] = out_for_delivery()
    client = _client(staff_of(delivery.community))

    with django_assert_num_queries(7):  # type: ignore[operator]
        response = client.get(f"/api/v1/delivery-plans/{delivery.plan_id}/")  # type: ignore[attr-defined]

    [visit] = response.json()["deliveries"]
    assert visit == {
        "id": delivery.pk,
        "plan": delivery.plan_id,
        "household": delivery.family.household.name,
        "volunteer": None,
        "status": "out",
        "confirmation": "",
        "confirmed_at": None,
        "has_photo": False,
        "wrong_codes": 0,
        "items": [
            {"code": item.code_display, "category": "大米", "quantity": "10.00", "unit": "kg", "status": "dispatched"}
        ],
    }
    assert FAMILY_CODE not in response.content.decode()
    assert delivery.family.household.address not in response.content.decode()


def test_another_communitys_plan_visit_and_item_are_404() -> None:
    delivery, [item] = out_for_delivery()
    stranger = _client(staff_of(DeliveryPlanFactory().community))

    assert stranger.get(f"/api/v1/delivery-plans/{delivery.plan_id}/").status_code == 404  # type: ignore[attr-defined]
    confirm = stranger.post(f"/api/v1/deliveries/{delivery.pk}/confirm/", {"code": FAMILY_CODE}, format="json")  # type: ignore[attr-defined]
    write_off = stranger.post(f"/api/v1/items/{item.code}/write-off/", {"reason": "过期"}, format="json")  # type: ignore[attr-defined]
    assert (confirm.status_code, write_off.status_code) == (404, 404)
    assert Item.objects.get(pk=item.pk).status == "dispatched"


def test_dispatch_by_api_and_a_second_dispatch_is_a_409() -> None:
    delivery = DeliveryFactory()
    [item] = stocked(delivery.plan.warehouse)
    client = _client(staff_of(delivery.community, role=StaffMembership.Role.WAREHOUSE))
    url = f"/api/v1/items/{item.code_display}/dispatch/"

    first = client.post(url, {"delivery": delivery.pk}, format="json")  # type: ignore[attr-defined]
    again = client.post(url, {"delivery": delivery.pk}, format="json")  # type: ignore[attr-defined]

    assert first.status_code == 200
    assert {k: first.json()[k] for k in ("code", "kind", "from_status", "to_status", "delivery")} == {
        "code": item.code_display,
        "kind": "dispatched",
        "from_status": "in_stock",
        "to_status": "dispatched",
        "delivery": delivery.pk,
    }
    assert again.status_code == 409
    assert again.json() == {
        "detail": f"{item.code_display} is out for delivery: it cannot be dispatched now.",
        "code": "item_state",
    }


def test_dispatch_refuses_another_communitys_delivery_and_bad_input() -> None:
    [item] = stocked(DeliveryFactory().plan.warehouse)
    client = _client(staff_of(item.community))
    url = f"/api/v1/items/{item.code}/dispatch/"

    foreign = client.post(url, {"delivery": DeliveryFactory().pk}, format="json")  # type: ignore[attr-defined]
    empty = client.post(url, {}, format="json")  # type: ignore[attr-defined]
    unknown = client.post("/api/v1/items/XXXX/dispatch/", {"delivery": 1}, format="json")  # type: ignore[attr-defined]

    assert foreign.status_code == 400
    assert list(foreign.json()) == ["delivery"]
    assert empty.status_code == 400
    assert unknown.status_code == 404
    assert Item.objects.get(pk=item.pk).status == "in_stock"


def test_confirm_by_api_with_the_code_then_again_is_a_409() -> None:
    delivery, [item] = out_for_delivery()
    client = _client(staff_of(delivery.community, role=StaffMembership.Role.STAFF))
    url = f"/api/v1/deliveries/{delivery.pk}/confirm/"

    wrong = client.post(url, {"code": "999999"}, format="json")  # type: ignore[attr-defined]
    right = client.post(url, {"code": FAMILY_CODE}, format="json")  # type: ignore[attr-defined]
    again = client.post(url, {"code": FAMILY_CODE}, format="json")  # type: ignore[attr-defined]

    assert wrong.status_code == 400
    assert wrong.json() == {"detail": "That is not the family's code. 4 tries left.", "code": "wrong_family_code"}
    assert right.status_code == 200
    assert (right.json()["status"], right.json()["confirmation"], right.json()["wrong_codes"]) == (
        "delivered",
        "family_code",
        1,
    )
    assert right.json()["items"][0]["status"] == "delivered"
    assert again.status_code == 409
    assert again.json()["code"] == "already_delivered"
    assert item.events.filter(kind="delivered").count() == 1


def test_confirm_by_api_with_a_photo_in_multipart() -> None:
    delivery, _items = out_for_delivery()
    buffer = BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG")
    photo = SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")
    fake = SimpleUploadedFile("p.png", b"not a picture", content_type="image/png")
    client = _client(staff_of(delivery.community))
    url = f"/api/v1/deliveries/{delivery.pk}/confirm/"

    refused = client.post(url, {"photo": fake}, format="multipart")  # type: ignore[attr-defined]
    confirmed = client.post(url, {"photo": photo}, format="multipart")  # type: ignore[attr-defined]

    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_photo"
    assert confirmed.status_code == 200
    assert (confirmed.json()["confirmation"], confirmed.json()["has_photo"]) == ("photo", True)


def test_write_off_by_api_needs_a_reason_and_happens_once() -> None:
    [item] = stocked(DeliveryFactory().plan.warehouse)
    client = _client(staff_of(item.community, role=StaffMembership.Role.WAREHOUSE))
    url = f"/api/v1/items/{item.code}/write-off/"

    reasonless = client.post(url, {}, format="json")  # type: ignore[attr-defined]
    done = client.post(url, {"reason": "受潮"}, format="json")  # type: ignore[attr-defined]
    again = client.post(url, {"reason": "受潮"}, format="json")  # type: ignore[attr-defined]

    assert reasonless.status_code == 400
    assert (done.status_code, done.json()["kind"], done.json()["reason"]) == (200, "written_off", "受潮")
    assert again.status_code == 409
    assert item.events.filter(kind="written_off").count() == 1


def test_commands_need_the_permission() -> None:
    delivery, [item] = out_for_delivery()
    plain = UserFactory(is_staff=True)
    reserved = stocked(delivery.plan.warehouse)[0]
    reserve_item(delivery=delivery, item=reserved, by=UserFactory())

    responses = [
        _client(plain).post(f"/api/v1/deliveries/{delivery.pk}/confirm/", {"code": FAMILY_CODE}, format="json"),  # type: ignore[attr-defined]
        _client(plain).post(f"/api/v1/items/{item.code}/write-off/", {"reason": "x"}, format="json"),  # type: ignore[attr-defined]
        _client(None).get("/api/v1/delivery-plans/"),  # type: ignore[attr-defined]
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    assert Delivery.objects.get(pk=delivery.pk).status == "out"
