from datetime import timedelta
from io import BytesIO, StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone, translation
from PIL import Image

from stores.exceptions import (
    AlreadyDelivered,
    DeliveryConflict,
    DeliveryError,
    FamilyCodeLocked,
    ItemNotMovable,
    WrongFamilyCode,
)
from stores.models import Delivery, DeliveryPlan, Item, ItemEvent
from stores.services.delivery import (
    add_delivery,
    close_plan,
    confirm_delivery,
    dispatch_item,
    family_code,
    mark_not_delivered,
    plan_delivery,
    release_item,
    reserve_item,
)
from tests.factories import UserFactory
from tests.factories.recipients import RecipientFamilyFactory
from tests.factories.stores import (
    FAMILY_CODE,
    DeliveryFactory,
    DeliveryPlanFactory,
    WarehouseFactory,
    out_for_delivery,
    stocked,
)
from tests.factories.volunteers import CentreFactory, VolunteerFactory
from yicang.core.photos import InvalidPhoto

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


def _photo(kind: str = "JPEG", *, gps: bool = False) -> SimpleUploadedFile:
    buffer = BytesIO()
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (30.0, 39.0, 36.0), 3: "E", 4: (104.0, 4.0, 48.0)}  # GPSInfo: the family's door
    Image.new("RGB", (8, 8), "red").save(buffer, kind, exif=exif.tobytes())
    return SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue(), content_type="image/jpeg")


def _events(item: Item) -> list[tuple[str, str, str, int | None]]:
    return list(item.events.order_by("pk").values_list("kind", "from_status", "to_status", "delivery"))


def test_a_plan_is_drafted_for_a_centre_and_a_warehouse_of_one_community() -> None:
    centre = CentreFactory()
    store = WarehouseFactory(community=centre.community)
    planner = UserFactory()
    day = timezone.localdate() + timedelta(days=1)

    plan = plan_delivery(centre=centre, warehouse=store, planned_for=day, by=planner, note=" 周六上午 ")

    assert (plan.community, plan.centre, plan.warehouse, plan.planned_for) == (centre.community, centre, store, day)
    assert (plan.status, plan.note, plan.created_by, plan.closed_at) == ("draft", "周六上午", planner, None)


def test_a_plan_refuses_another_communitys_warehouse_and_a_past_day() -> None:
    centre = CentreFactory()

    with pytest.raises(DeliveryError, match="belongs to another community"):
        plan_delivery(centre=centre, warehouse=WarehouseFactory(), planned_for=timezone.localdate(), by=UserFactory())
    with pytest.raises(DeliveryError, match="planned day has passed"):
        plan_delivery(
            centre=centre,
            warehouse=WarehouseFactory(community=centre.community),
            planned_for=timezone.localdate() - timedelta(days=1),
            by=UserFactory(),
        )
    assert not DeliveryPlan.objects.exists()


def test_adding_a_family_gives_it_a_sealed_six_digit_code() -> None:
    plan = DeliveryPlanFactory()
    family = RecipientFamilyFactory(household__community=plan.community, status="active")
    volunteer = VolunteerFactory(community=plan.community)

    delivery = add_delivery(plan=plan, family=family, by=UserFactory(), volunteer=volunteer)

    code = family_code(delivery)
    assert len(code) == 6
    assert code.isdigit()
    assert code not in delivery.code_sealed
    assert (delivery.status, delivery.family, delivery.volunteer, delivery.community) == (
        "planned",
        family,
        volunteer,
        plan.community,
    )


@pytest.mark.parametrize(
    ("family", "message"),
    [
        (lambda plan: RecipientFamilyFactory(household__community=plan.community), "not a family receiving support"),
        (lambda plan: RecipientFamilyFactory(status="active"), "not a family receiving support"),
    ],
)
def test_only_active_recipient_families_of_the_community_are_visited(family: object, message: str) -> None:
    plan = DeliveryPlanFactory()

    with pytest.raises(DeliveryError, match=message):
        add_delivery(plan=plan, family=family(plan), by=UserFactory())  # type: ignore[operator]
    assert not Delivery.objects.exists()


def test_a_family_is_on_a_plan_once() -> None:
    delivery = DeliveryFactory(family__status="active")

    with pytest.raises(DeliveryConflict, match="is on this plan already") as error:
        add_delivery(plan=delivery.plan, family=delivery.family, by=UserFactory())
    assert error.value.status == 409
    assert Delivery.objects.count() == 1


def test_reserving_and_releasing_tie_and_untie_the_item() -> None:
    delivery = DeliveryFactory()
    [item] = stocked(delivery.plan.warehouse)
    clerk = UserFactory()

    reserve_item(delivery=delivery, item=item, by=clerk)
    reserved = Item.objects.get(pk=item.pk)
    release_item(item=item, by=clerk)

    assert (reserved.status, reserved.delivery) == ("reserved", delivery)
    assert Item.objects.filter(pk=item.pk, status="in_stock", delivery=None).exists()
    assert _events(item) == [
        ("received", "", "in_stock", None),
        ("reserved", "in_stock", "reserved", delivery.pk),
        ("unreserved", "reserved", "in_stock", delivery.pk),
    ]


def test_an_item_of_another_warehouse_is_not_reserved() -> None:
    delivery = DeliveryFactory()
    [item] = stocked(WarehouseFactory(community=delivery.community, name="义仓站"))

    with pytest.raises(DeliveryError, match="is at 义仓站; this plan's items leave from"):
        reserve_item(delivery=delivery, item=item, by=UserFactory())
    assert item.events.count() == 1


def test_releasing_an_item_that_is_not_reserved_is_a_conflict() -> None:
    [item] = stocked(WarehouseFactory())

    with pytest.raises(DeliveryConflict, match="is in stock, not reserved"):
        release_item(item=item, by=UserFactory())


def test_dispatching_sends_the_item_the_visit_and_the_plan_out() -> None:
    delivery = DeliveryFactory()
    reserved, loose = stocked(delivery.plan.warehouse, 2)
    clerk = UserFactory()
    reserve_item(delivery=delivery, item=reserved, by=clerk)

    first = dispatch_item(item=reserved, delivery=delivery, by=clerk)
    second = dispatch_item(item=loose, delivery=delivery, by=clerk)

    assert (first.kind, first.from_status, second.from_status) == ("dispatched", "reserved", "in_stock")
    assert set(Item.objects.values_list("status", "delivery")) == {("dispatched", delivery.pk)}
    assert Delivery.objects.get(pk=delivery.pk).status == "out"
    assert DeliveryPlan.objects.get(pk=delivery.plan_id).status == "out"


def test_an_item_reserved_for_another_family_is_not_dispatched() -> None:
    delivery = DeliveryFactory()
    other = DeliveryFactory(plan=delivery.plan, family__household__name="李家")
    [item] = stocked(delivery.plan.warehouse)
    reserve_item(delivery=other, item=item, by=UserFactory())

    with pytest.raises(DeliveryConflict, match="is reserved for 李家: release it first") as error:
        dispatch_item(item=item, delivery=delivery, by=UserFactory())
    assert error.value.status == 409
    assert Item.objects.get(pk=item.pk).delivery == other
    assert Delivery.objects.get(pk=delivery.pk).status == "planned"


def test_an_item_already_out_is_not_dispatched_again() -> None:
    delivery, [item] = out_for_delivery()

    with pytest.raises(ItemNotMovable, match="is out for delivery: it cannot be dispatched now"):
        dispatch_item(item=item, delivery=DeliveryFactory(plan=delivery.plan), by=UserFactory())
    assert item.events.count() == 2


def test_the_familys_code_confirms_every_item_out_on_the_visit() -> None:
    delivery, items = out_for_delivery(2)
    volunteer = UserFactory()

    confirmed = confirm_delivery(delivery=delivery, by=volunteer, code=" ２４６８１０ ")

    assert (confirmed.status, confirmed.confirmation, confirmed.confirmed_by) == ("delivered", "family_code", volunteer)
    assert confirmed.confirmed_at is not None
    assert set(Item.objects.values_list("status", "delivery")) == {("delivered", delivery.pk)}
    assert [kind for kind, *_ in _events(items[0])] == ["received", "dispatched", "delivered"]


def test_a_delivered_visit_cannot_be_confirmed_again() -> None:
    delivery, [item] = out_for_delivery()
    confirm_delivery(delivery=delivery, by=UserFactory(), code=FAMILY_CODE)

    with pytest.raises(AlreadyDelivered, match="This delivery was confirmed already, at ") as error:
        confirm_delivery(delivery=delivery, by=UserFactory(), code=FAMILY_CODE)
    assert error.value.status == 409
    assert item.events.count() == 3


def test_wrong_codes_are_counted_and_the_fifth_leaves_only_the_photo() -> None:
    delivery, [item] = out_for_delivery()

    messages = []
    for _attempt in range(5):
        with pytest.raises(WrongFamilyCode) as error:
            confirm_delivery(delivery=delivery, by=UserFactory(), code="111111")
        messages.append(error.value.message)
    with pytest.raises(FamilyCodeLocked, match="confirm with a photo instead"):
        confirm_delivery(delivery=delivery, by=UserFactory(), code=FAMILY_CODE)

    assert messages[0] == "That is not the family's code. 4 tries left."
    assert messages[3] == "That is not the family's code. 1 try left."
    assert messages[4] == "That is not the family's code, and no tries are left: confirm with a photo."
    assert Delivery.objects.filter(pk=delivery.pk, status="out", wrong_codes=5).exists()
    assert Item.objects.get(pk=item.pk).status == "dispatched"
    confirm_delivery(delivery=delivery, by=UserFactory(), photo=_photo())
    assert Delivery.objects.get(pk=delivery.pk).confirmation == "photo"


def test_a_photo_confirms_and_is_stored_under_a_random_name() -> None:
    delivery, _items = out_for_delivery()

    upload = _photo(gps=True)
    with Image.open(upload) as sent:
        assert sent.getexif().get_ifd(0x8825)  # the phone wrote where the door is
    upload.seek(0)

    confirm_delivery(delivery=delivery, by=UserFactory(), photo=upload)

    stored = Delivery.objects.get(pk=delivery.pk)
    assert (stored.status, stored.confirmation) == ("delivered", "photo")
    assert stored.photo.name.startswith("deliveries/")
    assert stored.photo.name.endswith(".jpg")
    assert "IMG_0001" not in stored.photo.name
    with stored.photo.open("rb") as kept, Image.open(kept) as picture:
        assert (picture.format, picture.size, dict(picture.getexif())) == ("JPEG", (8, 8), {})


def test_a_file_that_is_not_a_picture_is_refused_and_nothing_is_written() -> None:
    delivery, [item] = out_for_delivery()
    fake = SimpleUploadedFile("door.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")

    with pytest.raises(InvalidPhoto, match="This file is not a photo that can be opened"):
        confirm_delivery(delivery=delivery, by=UserFactory(), photo=fake)
    with pytest.raises(DeliveryError, match="one of the two"):
        confirm_delivery(delivery=delivery, by=UserFactory())
    assert Delivery.objects.get(pk=delivery.pk).status == "out"
    assert item.events.count() == 2


def test_a_visit_with_nothing_out_cannot_be_confirmed() -> None:
    delivery = DeliveryFactory()

    with pytest.raises(DeliveryConflict, match="No item is out on this delivery yet"):
        confirm_delivery(delivery=delivery, by=UserFactory(), code=FAMILY_CODE)
    assert Delivery.objects.get(pk=delivery.pk).wrong_codes == 0


def test_not_delivered_returns_the_items_to_stock_with_the_reason() -> None:
    delivery, [out] = out_for_delivery()
    [reserved] = stocked(delivery.plan.warehouse)
    reserve_item(delivery=delivery, item=reserved, by=UserFactory())

    mark_not_delivered(delivery=delivery, by=UserFactory(), reason="家中无人")

    assert Delivery.objects.filter(pk=delivery.pk, status="failed", note="家中无人").exists()
    assert set(Item.objects.values_list("status", "delivery")) == {("in_stock", None)}
    assert _events(out)[-1] == ("returned", "dispatched", "in_stock", delivery.pk)
    assert _events(reserved)[-1] == ("unreserved", "reserved", "in_stock", delivery.pk)
    assert set(ItemEvent.objects.filter(kind__in=["returned", "unreserved"]).values_list("reason", flat=True)) == {
        "家中无人"
    }


def test_not_delivered_needs_a_reason_and_an_open_visit() -> None:
    delivery, [item] = out_for_delivery()

    with pytest.raises(DeliveryError, match="Say why"):
        mark_not_delivered(delivery=delivery, by=UserFactory(), reason="  ")
    confirm_delivery(delivery=delivery, by=UserFactory(), code=FAMILY_CODE)
    with pytest.raises(AlreadyDelivered):
        mark_not_delivered(delivery=delivery, by=UserFactory(), reason="家中无人")
    assert Item.objects.get(pk=item.pk).status == "delivered"


def test_closing_a_plan_returns_what_was_not_delivered() -> None:
    delivered, [given] = out_for_delivery()
    confirm_delivery(delivery=delivered, by=UserFactory(), code=FAMILY_CODE)
    plan = delivered.plan
    out = DeliveryFactory(plan=plan)
    planned = DeliveryFactory(plan=plan)
    on_the_way, reserved = stocked(plan.warehouse, 2)
    dispatch_item(item=on_the_way, delivery=out, by=UserFactory())
    reserve_item(delivery=planned, item=reserved, by=UserFactory())

    closed = close_plan(plan=plan, by=UserFactory())

    assert (closed.status, closed.closed_at is not None) == ("closed", True)
    assert dict(Delivery.objects.values_list("pk", "status")) == {
        delivered.pk: "delivered",
        out.pk: "failed",
        planned.pk: "failed",
    }
    assert Item.objects.get(pk=given.pk).status == "delivered"
    assert _events(on_the_way)[-1] == ("returned", "dispatched", "in_stock", out.pk)
    assert _events(reserved)[-1] == ("unreserved", "reserved", "in_stock", planned.pk)
    with pytest.raises(DeliveryConflict, match="closed already"):
        close_plan(plan=plan, by=UserFactory())


def test_a_closed_plan_takes_no_more_items_or_families() -> None:
    plan = DeliveryPlanFactory()
    delivery = DeliveryFactory(plan=plan)
    close_plan(plan=plan, by=UserFactory())
    [item] = stocked(plan.warehouse)

    with pytest.raises(DeliveryConflict, match="plan is closed"):
        dispatch_item(item=item, delivery=delivery, by=UserFactory())
    with pytest.raises(DeliveryConflict, match="plan is closed"):
        add_delivery(
            plan=plan,
            family=RecipientFamilyFactory(household__community=plan.community, status="active"),
            by=UserFactory(),
        )
    assert Item.objects.get(pk=item.pk).status == "in_stock"


def test_the_demo_has_a_plan_per_community_with_one_visit_delivered_and_one_out() -> None:
    call_command("seed_demo", "--households", "30", stdout=StringIO())
    call_command("seed_demo", "--households", "30", stdout=StringIO())

    assert DeliveryPlan.objects.count() == 2
    assert sorted(Delivery.objects.values_list("plan__community__code", "status", "confirmation")) == [
        ("jiaozi", "delivered", "family_code"),
        ("jiaozi", "out", ""),
        ("shuijingfang", "delivered", "family_code"),
        ("shuijingfang", "out", ""),
    ]


def test_items_reserved_but_not_taken_out_go_back_to_stock_when_the_visit_is_confirmed() -> None:
    delivery, [out] = out_for_delivery()
    [left_behind] = stocked(delivery.plan.warehouse, 1)
    reserve_item(delivery=delivery, item=left_behind, by=delivery.plan.created_by)

    confirm_delivery(delivery=delivery, by=UserFactory(), code=FAMILY_CODE)

    out.refresh_from_db()
    left_behind.refresh_from_db()
    assert (out.status, out.delivery_id) == ("delivered", delivery.pk)
    assert (left_behind.status, left_behind.delivery_id) == ("in_stock", None)
    last = left_behind.events.order_by("-pk").first()
    assert last is not None
    assert (last.kind, last.reason, last.delivery_id) == (
        "unreserved",
        "The visit was confirmed without this item.",
        delivery.pk,
    )
