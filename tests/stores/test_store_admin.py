from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from stores.models import Item
from stores.services.items import IntakeLine, receive_donation
from tests.clients import signed_in
from tests.factories import UserFactory, staff_of
from tests.factories.stores import CategoryFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def _receive(count: int, **warehouse: object) -> list[Item]:
    store = WarehouseFactory(**warehouse)
    line = IntakeLine(
        category=CategoryFactory(),
        count=count,
        quantity=Decimal("10"),
        expires_on=timezone.localdate() + timedelta(days=3),
    )
    return list(receive_donation(warehouse=store, lines=[line], by=UserFactory()).items.order_by("pk"))


def test_items_are_found_by_a_typed_code_and_scoped(django_assert_num_queries: object) -> None:
    mine, theirs = _receive(3), _receive(2)
    client = signed_in(staff_of(mine[0].community))
    url = reverse("admin:stores_item_changelist")

    found = client.get(url, {"q": mine[1].code_display.lower()})
    foreign = client.get(url, {"q": theirs[0].code})
    with django_assert_num_queries(9):  # type: ignore[operator]
        listing = client.get(url)

    assert list(found.context["cl"].result_list) == [mine[1]]
    assert list(foreign.context["cl"].result_list) == []
    assert len(listing.context["cl"].result_list) == 3
    assert (
        signed_in(staff_of(mine[0].community)).get(reverse("admin:stores_item_change", args=[theirs[0].pk])).status_code
        == 404
    )


def test_an_item_page_shows_its_history_read_only() -> None:
    [item] = _receive(1)

    page = signed_in(staff_of(item.community)).get(reverse("admin:stores_item_change", args=[item.pk]))

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert item.code_display in page.content.decode()


def test_the_expiry_filter_finds_what_expires_this_week() -> None:
    items = _receive(2)
    Item.objects.filter(pk=items[0].pk).update(expires_on=None)

    response = signed_in(staff_of(items[0].community)).get(reverse("admin:stores_item_changelist"), {"expiry": "week"})

    assert list(response.context["cl"].result_list) == [items[1]]


def test_the_item_changelist_query_count_does_not_grow(django_assert_num_queries: object) -> None:
    [first] = _receive(1)
    client = signed_in(staff_of(first.community))
    url = reverse("admin:stores_item_changelist")
    with django_assert_num_queries(9):  # type: ignore[operator]
        client.get(url)
    receive_donation(
        warehouse=first.warehouse,
        lines=[
            IntakeLine(
                category=CategoryFactory(name="油", unit="瓶", perishable=False), count=30, quantity=Decimal("1")
            )
        ],
        by=UserFactory(),
    )
    with django_assert_num_queries(9):  # type: ignore[operator]
        assert client.get(url).status_code == 200


def test_labels_are_printed_from_the_item_list_and_downloaded(
    settings: object, tmp_path: object, django_capture_on_commit_callbacks: object
) -> None:
    from stores.models import LabelSheet

    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    items = _receive(5)
    warehouse_staff = staff_of(items[0].community, role="warehouse")
    client = signed_in(warehouse_staff)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(
            reverse("admin:stores_item_changelist"),
            {"action": "labels_a4_3x8", "_selected_action": [i.pk for i in items[:3]]},
        )
    sheet = LabelSheet.objects.get()
    download = client.get(reverse("admin:stores_labelsheet_pdf", args=[sheet.pk]))
    stranger = signed_in(staff_of(WarehouseFactory().community)).get(
        reverse("admin:stores_labelsheet_pdf", args=[sheet.pk])
    )

    assert response["Location"] == reverse("admin:stores_labelsheet_change", args=[sheet.pk])
    assert (sheet.status, sheet.done_count, sheet.total, sheet.created_by) == ("done", 3, 3, warehouse_staff)
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert stranger.status_code == 404


def test_items_are_written_off_from_the_list_with_a_reason_and_mistakes_are_corrected() -> None:
    items = _receive(3)
    client = signed_in(staff_of(items[0].community, role="warehouse"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = reverse("admin:stores_item_changelist")
    chosen = {"_selected_action": [i.pk for i in items[:2]]}

    asked = client.post(url, {"action": "write_off_selected", **chosen})
    empty = client.post(url, {"action": "write_off_selected", "apply": "1", "reason": " ", **chosen})
    done = client.post(url, {"action": "write_off_selected", "apply": "1", "reason": "包装破损", **chosen}, follow=True)
    again = client.post(url, {"action": "write_off_selected", "apply": "1", "reason": "再次", **chosen}, follow=True)
    corrected = client.post(
        url, {"action": "correct_selected", "apply": "1", "reason": "扫错了", "_selected_action": [items[0].pk]}
    )

    assert asked.status_code == empty.status_code == 200
    assert "reason" in asked.content.decode()
    assert [m.message for m in done.context["messages"]] == ["2 items: written off."]
    assert [m.message for m in again.context["messages"]] == [
        f"{items[0].code_display} is written off: it cannot be written off now.",
        f"{items[1].code_display} is written off: it cannot be written off now.",
    ]
    assert corrected.status_code == 302
    assert list(Item.objects.order_by("pk").values_list("status", flat=True)) == ["in_stock", "written_off", "in_stock"]
    assert list(items[0].events.values_list("kind", "reason"))[1:] == [
        ("written_off", "包装破损"),
        ("corrected", "扫错了"),
    ]


def test_staff_without_the_step_permission_cannot_write_off() -> None:
    items = _receive(1)
    client = signed_in(staff_of(items[0].community, role="staff"))

    response = client.post(
        reverse("admin:stores_item_changelist"),
        {"action": "write_off_selected", "apply": "1", "reason": "x", "_selected_action": [items[0].pk]},
    )

    assert response.status_code == 200  # the list again: the action is not offered to them
    assert "write_off_selected" not in response.content.decode()
    assert Item.objects.get().status == "in_stock"
