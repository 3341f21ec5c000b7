import re

import pytest
from django.test import Client

from stores.models import EventKind, Item, ItemEvent, Warehouse
from stores.services.items import record_event
from tests.clients import signed_in
from tests.factories import UserFactory, staff_of
from tests.factories.stores import DeliveryFactory, WarehouseFactory, stocked
from yicang.community.models import StaffMembership, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def store() -> Warehouse:
    return WarehouseFactory(name="一号库")


@pytest.fixture
def clerk(store: Warehouse) -> User:
    return staff_of(store.community, StaffMembership.Role.WAREHOUSE)


def _scan(client: Client, mode: str, code: str, warehouse: Warehouse | None = None) -> object:
    query = f"?mode={mode}" + (f"&warehouse={warehouse.pk}" if warehouse else "")
    return client.post(f"/staff/store/scan/{query}", {"code": code}, HTTP_ACCEPT_LANGUAGE="en")


def _kinds(item: Item) -> list[str]:
    return list(ItemEvent.objects.filter(item=item).order_by("pk").values_list("kind", flat=True))


def test_receiving_an_item_from_another_warehouse_moves_it_here(
    store: Warehouse, clerk: User, django_assert_max_num_queries: object
) -> None:
    stop = WarehouseFactory(community=store.community, name="义仓站")
    (item,) = stocked(stop)
    client = signed_in(clerk)

    with django_assert_max_num_queries(17):  # type: ignore[operator]
        response = _scan(client, "receive", item.code_display.lower(), store)

    item.refresh_from_db()
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert (item.status, item.warehouse) == (Item.Status.IN_STOCK, store)
    assert _kinds(item) == [EventKind.RECEIVED, EventKind.MOVED]
    assert response.context["outcome"].message == (  # type: ignore[attr-defined]
        f"{item.code_display} 大米: moved — now in stock at 一号库."
    )
    assert response.context["typed"] == ""  # type: ignore[attr-defined]


def test_receiving_an_item_back_from_a_delivery_returns_it_to_stock_here(store: Warehouse, clerk: User) -> None:
    stop = WarehouseFactory(community=store.community, name="义仓站")
    (item,) = stocked(stop)
    delivery = DeliveryFactory(plan__community=store.community, plan__warehouse=stop)
    record_event(item=item, kind=EventKind.DISPATCHED, by=clerk, delivery=delivery)

    response = _scan(signed_in(clerk), "receive", f"{item.code}", store)

    item.refresh_from_db()
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert (item.status, item.warehouse, item.delivery) == (Item.Status.IN_STOCK, store, None)
    assert _kinds(item) == [EventKind.RECEIVED, EventKind.DISPATCHED, EventKind.RETURNED]
    assert item.events.last().warehouse == store  # type: ignore[union-attr]
    assert response.context["outcome"].message == (  # type: ignore[attr-defined]
        f"{item.code_display} 大米: returned to stock — now in stock at 一号库."
    )


def test_an_item_already_here_is_left_as_it_is(store: Warehouse, clerk: User) -> None:
    (item,) = stocked(store)

    response = _scan(signed_in(clerk), "receive", item.code, store)

    assert response.status_code == 200  # type: ignore[attr-defined]
    assert _kinds(item) == [EventKind.RECEIVED]
    assert response.context["outcome"].message == f"{item.code_display} 大米 is already in stock at 一号库."  # type: ignore[attr-defined]


def test_an_item_that_cannot_move_is_a_conflict_shown_on_the_page(store: Warehouse, clerk: User) -> None:
    stop = WarehouseFactory(community=store.community, name="义仓站")
    (item,) = stocked(stop)
    record_event(item=item, kind=EventKind.WRITTEN_OFF, by=clerk, reason="受潮")

    response = _scan(signed_in(clerk), "move", item.code, store)

    page = response.content.decode()  # type: ignore[attr-defined]
    item.refresh_from_db()
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert response.context["outcome"].message == f"{item.code_display} is written off: it cannot be moved now."  # type: ignore[attr-defined]
    assert 'role="alert"' in page
    assert f'value="{item.code}"' in page  # kept, to correct or to look up
    assert (item.status, item.warehouse) == (Item.Status.WRITTEN_OFF, stop)
    assert _kinds(item) == [EventKind.RECEIVED, EventKind.WRITTEN_OFF]


def test_moving_puts_items_in_stock_at_the_chosen_warehouse(store: Warehouse, clerk: User) -> None:
    stop = WarehouseFactory(community=store.community, name="义仓站")
    items = stocked(store, 2)
    client = signed_in(clerk)

    responses = [_scan(client, "move", item.code_display, stop) for item in items]

    assert [r.status_code for r in responses] == [200, 200]  # type: ignore[attr-defined]
    assert list(Item.objects.filter(pk__in=[i.pk for i in items]).values_list("warehouse", flat=True)) == [stop.pk] * 2
    assert client.session["stores:scan-warehouse"] == stop.pk


def test_an_unknown_code_is_not_found_and_kept_to_correct(store: Warehouse, clerk: User) -> None:
    response = _scan(signed_in(clerk), "receive", "ABCDE-12345-XYZ", store)

    assert response.status_code == 404  # type: ignore[attr-defined]
    assert response.context["outcome"].message == "No item has the code ABCDE-12345-XYZ."  # type: ignore[attr-defined]
    assert 'value="ABCDE-12345-XYZ"' in response.content.decode()  # type: ignore[attr-defined]


def test_another_communitys_items_and_warehouses_are_not_found(store: Warehouse, clerk: User) -> None:
    elsewhere = WarehouseFactory()
    (theirs,) = stocked(elsewhere)
    client = signed_in(clerk)

    item_there = _scan(client, "lookup", theirs.code)
    warehouse_there = _scan(client, "receive", theirs.code, elsewhere)

    assert item_there.status_code == warehouse_there.status_code == 404  # type: ignore[attr-defined]
    assert _kinds(theirs) == [EventKind.RECEIVED]


def test_looking_up_shows_the_status_and_the_history(store: Warehouse, clerk: User) -> None:
    (item,) = stocked(store)
    record_event(item=item, kind=EventKind.WRITTEN_OFF, by=clerk, reason="包装破损")

    # What a 2D USB scanner types from the label's QR: the whole trace URL.
    response = _scan(signed_in(clerk), "lookup", f"https://yicang.example.cn/t/{item.code}")

    page = response.content.decode()  # type: ignore[attr-defined]
    outcome = response.context["outcome"]  # type: ignore[attr-defined]
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert outcome.item == item
    assert [event.kind for event in outcome.history] == [EventKind.WRITTEN_OFF, EventKind.RECEIVED]
    assert "包装破损" in page
    assert "written off" in page


def test_centre_staff_may_look_up_but_not_move(store: Warehouse) -> None:
    (item,) = stocked(store)
    centre_staff = signed_in(staff_of(store.community, StaffMembership.Role.STAFF))

    moved = _scan(centre_staff, "move", item.code, store)
    looked = _scan(centre_staff, "lookup", item.code)

    assert (moved.status_code, looked.status_code) == (403, 200)  # type: ignore[attr-defined]
    assert _kinds(item) == [EventKind.RECEIVED]


def test_the_hub_offers_only_the_users_warehouses_and_the_scanner_from_our_own_server(store: Warehouse) -> None:
    WarehouseFactory(name="别人的库")
    stop = WarehouseFactory(community=store.community, name="义仓站")
    client = signed_in(staff_of(store.community))

    hub = client.get("/staff/store/scan/")
    scanning = client.get(f"/staff/store/scan/?mode=receive&warehouse={stop.pk}")

    assert [w.name for w in hub.context["warehouses"]] == ["一号库", "义仓站"]
    assert hub.context["mode"] == ""
    assert [link["url"] for link in hub.context["links"]] == [
        f"/staff/store/c/{store.community.code}/deliveries/",
        f"/staff/store/c/{store.community.code}/checks/",
        f"/staff/store/c/{store.community.code}/intake/",
    ]
    page = scanning.content.decode()
    assert scanning.status_code == 200
    assert "data-scan" in page
    assert "<script>" not in page
    assert re.findall(r'<script src="([^"]+)"', page) == ["/static/stores/scanner.js"]
    assert 'data-wasm="/static/vendor/zxing-wasm-3.1.3/zxing_reader.wasm"' in page
    assert 'data-ponyfill="/static/vendor/barcode-detector-3.2.2/ponyfill.js"' in page


def test_strangers_are_sent_to_sign_in() -> None:
    anonymous = Client().get("/staff/store/scan/")
    not_staff = signed_in(UserFactory()).get("/staff/store/scan/")

    assert anonymous.status_code == not_staff.status_code == 302
