from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from stores.codes import new_code
from stores.models import CheckScan, EventKind, InventoryCheck, ItemEvent, StoreAlert, Warehouse
from stores.services.inventory import cancel_check, close_check, raise_expiry_alerts, record_scan, start_check
from stores.services.items import record_event
from tests.clients import signed_in
from tests.factories import UserFactory, staff_of
from tests.factories.stores import WarehouseFactory, shelved
from yicang.community.models import User

pytestmark = pytest.mark.django_db


def _english(user: User) -> Client:
    client = signed_in(user)
    client.cookies["django_language"] = "en"
    return client


def _notices(response: object) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


def _checks_url(warehouse: Warehouse) -> str:
    return reverse("stores:checks", args=[warehouse.community.code])


def test_staff_start_a_check_from_the_list_of_warehouses() -> None:
    warehouse = WarehouseFactory(check_every_days=14)
    shelved(warehouse, 2)
    client = _english(staff_of(warehouse.community, role="warehouse"))

    listing = client.get(_checks_url(warehouse))
    started = client.post(reverse("stores:check-start", args=[warehouse.community.code]), {"warehouse": warehouse.pk})
    again = client.post(reverse("stores:check-start", args=[warehouse.community.code]), {"warehouse": warehouse.pk})

    check = InventoryCheck.objects.get()
    assert listing.status_code == 200
    assert "2 items on the shelves · never checked · every 14 days" in " ".join(listing.content.decode().split())
    assert f'name="warehouse" value="{warehouse.pk}"' in listing.content.decode()
    assert started["Location"] == reverse("stores:check", args=[check.pk])
    assert again.status_code == 409
    assert f"{warehouse.name} already has a check under way (#{check.pk})" in again.content.decode()
    assert f"Go on with check #{check.pk}" in again.content.decode()


def test_the_pages_of_checks_are_for_staff_of_the_community() -> None:
    warehouse = WarehouseFactory()
    check = start_check(warehouse=warehouse)
    stranger = _english(staff_of(WarehouseFactory().community))
    resident = _english(UserFactory())

    assert stranger.get(_checks_url(warehouse)).status_code == 404
    assert stranger.get(reverse("stores:check", args=[check.pk])).status_code == 404
    assert stranger.post(reverse("stores:check-close", args=[check.pk])).status_code == 404
    assert resident.get(_checks_url(warehouse)).status_code == 302  # to the staff sign-in
    assert InventoryCheck.objects.get().status == "open"


def test_a_scanner_typing_into_the_page_counts_items() -> None:
    warehouse = WarehouseFactory()
    [first, second, third] = shelved(warehouse, 3)
    clerk = staff_of(warehouse.community, role="warehouse")
    client = _english(clerk)
    check = start_check(warehouse=warehouse, by=clerk)
    url = reverse("stores:check", args=[check.pk])

    page = client.get(url)
    counted = client.post(url, {"code": first.code_display.lower()}, follow=True)
    twice = client.post(url, {"code": first.code}, follow=True)
    unknown_code = new_code()
    unknown = client.post(url, {"code": unknown_code}, follow=True)
    garbled = client.post(url, {"code": "not-a-code"})

    html = page.content.decode()
    assert '<input id="code" name="code" data-scan autofocus autocomplete="off"' in html
    assert "Counted / expected</dt><dd>0 / 3</dd>" in html
    assert html.index("</form>") < html.index("Last scans")
    assert _notices(counted) == [f"Counted: {first.code_display} 大米."]
    assert "Counted / expected</dt><dd>1 / 3</dd>" in counted.content.decode()
    assert _notices(twice) == [f"{first.code_display} was already counted."]
    assert _notices(unknown) == [f"{unknown_code} is not an item of this community: it will be reported as unexpected."]
    assert "Other codes</dt><dd>1</dd>" in unknown.content.decode()
    assert garbled.status_code == 400
    assert "“not-a-code” is not an item code" in garbled.content.decode()
    assert list(CheckScan.objects.order_by("pk").values_list("code", flat=True)) == [first.code, unknown_code]
    assert second.code_display not in counted.content.decode()
    assert third.code_display not in counted.content.decode()


def test_closing_shows_the_findings_and_staff_approve_them() -> None:
    warehouse = WarehouseFactory()
    elsewhere = WarehouseFactory(community=warehouse.community)
    [seen, missing] = shelved(warehouse, 2)
    [misplaced] = shelved(elsewhere, 1)
    clerk = staff_of(warehouse.community, role="warehouse")
    client = _english(clerk)
    check = start_check(warehouse=warehouse, by=clerk)
    for item in [seen, misplaced]:
        record_scan(inventory_check=check, typed=item.code, by=clerk)

    closed = client.post(reverse("stores:check-close", args=[check.pk]), follow=True)
    closed_twice = client.post(reverse("stores:check-close", args=[check.pk]))
    finding = check.findings.get(item=missing)
    decided = client.post(reverse("stores:check-decide", args=[check.pk, finding.pk]), {"decision": "approve"})
    decided_twice = client.post(reverse("stores:check-decide", args=[check.pk, finding.pk]), {"decision": "decline"})
    undecided = client.post(reverse("stores:check-decide", args=[check.pk, finding.pk]), {"decision": "maybe"})
    everything = client.post(reverse("stores:check-approve-all", args=[check.pk]), follow=True)

    html = closed.content.decode()
    assert _notices(closed) == ["Closed: 2 differences to decide."]
    assert html.index("Missing (1)") < html.index("Misplaced (1)")
    assert f"recorded at {elsewhere.name}" in html
    assert "Approve all 2 pending adjustments" in html
    assert closed_twice.status_code == 409
    assert "This check was already closed." in closed_twice.content.decode()
    assert decided.status_code == 302
    assert decided_twice.status_code == 409
    assert undecided.status_code == 400
    assert _notices(everything) == ["1 adjustment approved."]
    check.refresh_from_db()
    assert check.status == "done"
    assert set(ItemEvent.objects.filter(by=clerk).values_list("item_id", "kind")) == {
        (seen.pk, "checked"),
        (missing.pk, "written_off"),
        (misplaced.pk, "moved"),
    }


def test_a_check_is_cancelled_from_its_page() -> None:
    warehouse = WarehouseFactory()
    clerk = staff_of(warehouse.community, role="warehouse")
    check = start_check(warehouse=warehouse, by=clerk)

    response = _english(clerk).post(reverse("stores:check-cancel", args=[check.pk]))

    assert response["Location"] == _checks_url(warehouse)
    assert InventoryCheck.objects.get().status == "cancelled"


def test_centre_staff_may_scan_but_not_close_or_decide() -> None:
    warehouse = WarehouseFactory()
    [item] = shelved(warehouse, 1)
    check = start_check(warehouse=warehouse)
    client = _english(staff_of(warehouse.community, role="staff"))

    scanned = client.post(reverse("stores:check", args=[check.pk]), {"code": item.code})
    page = client.get(reverse("stores:check", args=[check.pk]))
    closing = client.post(reverse("stores:check-close", args=[check.pk]))
    starting = client.post(reverse("stores:check-start", args=[warehouse.community.code]), {"warehouse": warehouse.pk})

    assert scanned.status_code == 302
    assert "Close and compare" not in page.content.decode()
    assert (closing.status_code, starting.status_code) == (403, 403)
    assert InventoryCheck.objects.get().status == "open"


def test_the_manager_sees_their_alerts_and_marks_them_seen() -> None:
    warehouse = WarehouseFactory()
    manager = staff_of(warehouse.community, role="warehouse")
    Warehouse.objects.filter(pk=warehouse.pk).update(manager=manager)
    [item, thrown_away] = shelved(warehouse, 2, expires_on=timezone.localdate() + timedelta(days=2))
    raise_expiry_alerts()
    # Nothing left to act on: an alert about an item no longer on a shelf is not shown.
    record_event(item=thrown_away, kind=EventKind.WRITTEN_OFF, by=manager, reason="mouldy")
    client = _english(manager)
    colleague = _english(staff_of(warehouse.community, role="warehouse"))

    page = client.get(_checks_url(warehouse))
    theirs = colleague.get(_checks_url(warehouse))
    alert = StoreAlert.objects.get(item=item)
    not_theirs = colleague.post(reverse("stores:alert-seen", args=[alert.pk]))
    seen = client.post(reverse("stores:alert-seen", args=[alert.pk]))
    after = client.get(_checks_url(warehouse))

    assert item.code_display in page.content.decode()
    assert thrown_away.code_display not in page.content.decode()
    assert "Alerts for you (1)" in page.content.decode()
    assert item.code_display not in theirs.content.decode()
    assert not_theirs.status_code == seen.status_code == 302
    alert.refresh_from_db()
    assert alert.seen_at is not None
    assert "Alerts for you" not in after.content.decode()


def test_marking_all_alerts_seen_touches_only_ones_own() -> None:
    warehouse = WarehouseFactory()
    manager = staff_of(warehouse.community, role="warehouse")
    other = WarehouseFactory(community=warehouse.community, manager=staff_of(warehouse.community, role="warehouse"))
    Warehouse.objects.filter(pk=warehouse.pk).update(manager=manager)
    shelved(warehouse, 2, expires_on=timezone.localdate())
    shelved(other, 1, expires_on=timezone.localdate())
    raise_expiry_alerts()

    response = _english(manager).post(reverse("stores:alerts-seen", args=[warehouse.community.code]), follow=True)

    assert _notices(response) == ["2 alerts marked seen."]
    assert list(StoreAlert.objects.filter(seen_at=None).values_list("warehouse", flat=True)) == [other.pk]


def test_the_list_of_checks_has_a_fixed_number_of_queries(django_assert_num_queries: object) -> None:
    warehouse = WarehouseFactory()
    manager = staff_of(warehouse.community, role="warehouse")
    Warehouse.objects.filter(pk=warehouse.pk).update(manager=manager)
    client = _english(manager)
    url = _checks_url(warehouse)
    with django_assert_num_queries(8):  # type: ignore[operator]
        client.get(url)

    for _ in range(3):
        store = WarehouseFactory(community=warehouse.community, manager=manager)
        shelved(store, 2, expires_on=timezone.localdate())
        check = start_check(warehouse=store, by=manager)
        record_scan(inventory_check=check, typed=new_code(), by=manager)
        close_check(inventory_check=check, by=manager)
        cancel_check(inventory_check=start_check(warehouse=warehouse, by=manager), by=manager)
    raise_expiry_alerts()

    with django_assert_num_queries(8):  # type: ignore[operator]
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["checks"]) == 6
    assert len(response.context["alerts"]) == 6


def test_the_check_page_has_a_fixed_number_of_queries(django_assert_num_queries: object) -> None:
    warehouse = WarehouseFactory()
    elsewhere = WarehouseFactory(community=warehouse.community)
    clerk = staff_of(warehouse.community, role="warehouse")
    client = _english(clerk)
    items = shelved(warehouse, 10) + shelved(elsewhere, 5)
    check = start_check(warehouse=warehouse, by=clerk)
    url = reverse("stores:check", args=[check.pk])
    with django_assert_num_queries(8):  # type: ignore[operator]
        client.get(url)
    for item in items[3:]:
        record_scan(inventory_check=check, typed=item.code, by=clerk)
    record_scan(inventory_check=check, typed=new_code(), by=clerk)

    with django_assert_num_queries(8):  # type: ignore[operator]
        scanning = client.get(url)
    close_check(inventory_check=check, by=clerk)
    with django_assert_num_queries(6):  # type: ignore[operator]
        review = client.get(url)

    assert "Counted / expected</dt><dd>7 / 10</dd>" in scanning.content.decode()
    assert len(scanning.context["recent"]) == 13
    assert [(g.kind, len(g.findings)) for g in review.context["groups"]] == [
        ("missing", 3),
        ("misplaced", 5),
        ("unexpected", 1),
    ]


def _reviewed(warehouse: Warehouse, clerk: User) -> InventoryCheck:
    """A check of `warehouse` in review: two items missing, one unknown code scanned, two items alerted."""
    shelved(warehouse, 2, expires_on=timezone.localdate())
    check = start_check(warehouse=warehouse, by=clerk)
    record_scan(inventory_check=check, typed=new_code(), by=clerk)
    close_check(inventory_check=check, by=clerk)
    raise_expiry_alerts()
    return check


@pytest.mark.parametrize("model", ["inventorycheck", "checkfinding", "storealert"])
def test_the_admin_changelists_have_a_fixed_number_of_queries(model: str, django_assert_num_queries: object) -> None:
    warehouse = WarehouseFactory()
    clerk = staff_of(warehouse.community, role="warehouse")
    _reviewed(warehouse, clerk)
    client = _english(clerk)
    url = reverse(f"admin:stores_{model}_changelist")
    expected = {"inventorycheck": 8, "checkfinding": 6, "storealert": 8}[model]
    with django_assert_num_queries(expected):  # type: ignore[operator]
        first = client.get(url)
    for _ in range(4):
        _reviewed(WarehouseFactory(community=warehouse.community, manager=clerk), clerk)

    with django_assert_num_queries(expected):  # type: ignore[operator]
        response = client.get(url)

    assert first.status_code == response.status_code == 200
    assert len(response.context["cl"].result_list) == {"inventorycheck": 5, "checkfinding": 15, "storealert": 10}[model]


def test_the_admin_finds_a_check_by_a_scanned_code_and_only_in_the_community() -> None:
    warehouse = WarehouseFactory()
    [item] = shelved(warehouse, 1)
    clerk = staff_of(warehouse.community, role="warehouse")
    check = start_check(warehouse=warehouse, by=clerk)
    record_scan(inventory_check=check, typed=item.code, by=clerk)
    start_check(warehouse=WarehouseFactory(community=warehouse.community), by=clerk)
    foreign = start_check(warehouse=WarehouseFactory())
    client = _english(clerk)
    url = reverse("admin:stores_inventorycheck_changelist")

    found = client.get(url, {"q": item.code_display.lower()})
    everything = client.get(url)
    page = client.get(reverse("admin:stores_inventorycheck_change", args=[check.pk]))

    assert list(found.context["cl"].result_list) == [check]
    assert foreign not in list(everything.context["cl"].result_list)
    assert len(everything.context["cl"].result_list) == 2
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert item.code in page.content.decode()
    assert client.get(reverse("admin:stores_inventorycheck_change", args=[foreign.pk])).status_code == 404


def test_admin_actions_close_and_approve_through_the_services() -> None:
    warehouse = WarehouseFactory()
    [item] = shelved(warehouse, 1)
    clerk = staff_of(warehouse.community, role="warehouse")
    check = start_check(warehouse=warehouse, by=clerk)
    client = _english(clerk)
    url = reverse("admin:stores_inventorycheck_changelist")

    closed = client.post(url, {"action": "close_selected", "_selected_action": [check.pk]}, follow=True)
    approved = client.post(url, {"action": "approve_all_selected", "_selected_action": [check.pk]}, follow=True)
    refused = client.post(url, {"action": "close_selected", "_selected_action": [check.pk]}, follow=True)

    check.refresh_from_db()
    assert (check.status, check.closed_by) == ("done", clerk)
    assert list(item.events.values_list("kind", "reason", "by")) == [
        ("received", "anonymous", item.donation.received_by_id),
        ("written_off", f"Inventory check #{check.pk}: missing", clerk.pk),
    ]
    assert _notices(closed) == [f"{check}: closed, 1 difference."]
    assert _notices(approved) == [f"{check}: 1 adjustment approved."]
    assert _notices(refused) == [f"{check}: This check was already closed."]


def test_a_2d_scanner_typing_the_whole_trace_url_counts_the_item() -> None:
    warehouse = WarehouseFactory()
    [item] = shelved(warehouse)
    clerk = staff_of(warehouse.community, role="warehouse")
    check = start_check(warehouse=warehouse, by=clerk)

    response = signed_in(clerk).post(
        reverse("stores:check", args=[check.pk]), {"code": f"https://yicang.example.cn/t/{item.code}"}
    )

    assert response.status_code == 302
    assert list(check.scans.values_list("code", "item")) == [(item.code, item.pk)]
