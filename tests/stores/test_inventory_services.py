from datetime import timedelta

import pytest
from django.utils import timezone, translation

from stores.codes import display, new_code
from stores.exceptions import CheckConflict, InvalidCode, ItemNotMovable
from stores.models import CheckFinding, CheckScan, EventKind, InventoryCheck, Item, ItemEvent, Warehouse
from stores.services.inventory import (
    approve_all,
    cancel_check,
    close_check,
    decide_finding,
    record_scan,
    start_check,
)
from stores.services.items import record_event
from tests.concurrency import race
from tests.factories import staff_of
from tests.factories.stores import WarehouseFactory, shelved
from yicang.community.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


def _clerk(warehouse: Warehouse) -> User:
    return staff_of(warehouse.community, role="warehouse")


def _findings(check: InventoryCheck) -> set[tuple[str, str, int | None, str]]:
    return set(check.findings.values_list("kind", "code", "item_id", "proposal"))


def _events(item: Item) -> list[tuple[str, str, int | None, str]]:
    return list(item.events.order_by("pk").values_list("kind", "to_status", "warehouse_id", "reason"))


def test_a_check_that_matches_the_shelves_is_done_and_each_item_checked() -> None:
    warehouse = WarehouseFactory()
    items = shelved(warehouse, 3)
    clerk = _clerk(warehouse)
    check = start_check(warehouse=warehouse, by=clerk)

    # A USB scanner types the compact code; a person types the printed one, in lower case, with spaces.
    record_scan(inventory_check=check, typed=items[0].code, by=clerk)
    record_scan(inventory_check=check, typed=display(items[1].code).lower().replace("-", " "), by=clerk)
    record_scan(inventory_check=check, typed=f" {display(items[2].code)}\n", by=clerk)
    findings = close_check(inventory_check=check, by=clerk)

    check.refresh_from_db()
    assert findings == []
    assert (check.status, check.closed_by, check.closed_at is not None) == ("done", clerk, True)
    assert set(CheckScan.objects.values_list("code", flat=True)) == {item.code for item in items}
    for item in items:
        assert _events(item)[-1] == ("checked", "in_stock", warehouse.pk, f"Inventory check #{check.pk}")
    assert ItemEvent.objects.filter(kind=EventKind.CHECKED, by=clerk).count() == 3


def test_closing_finds_missing_unexpected_misplaced_and_expired_items() -> None:
    warehouse = WarehouseFactory()
    elsewhere = WarehouseFactory(community=warehouse.community)
    yesterday = timezone.localdate() - timedelta(days=1)
    [fine, missing] = shelved(warehouse, 2)
    [expired, expired_missing] = shelved(warehouse, 2, expires_on=yesterday)
    [misplaced] = shelved(elsewhere, 1)
    [written_off] = shelved(warehouse, 1)
    [foreign] = shelved(WarehouseFactory(), 1)
    clerk = _clerk(warehouse)
    record_event(item=written_off, kind=EventKind.WRITTEN_OFF, by=clerk, reason="damaged")
    unknown = new_code()
    check = start_check(warehouse=warehouse, by=clerk)

    for code in [fine.code, expired.code, misplaced.code, written_off.code, foreign.code, unknown]:
        record_scan(inventory_check=check, typed=code, by=clerk)
    findings = close_check(inventory_check=check, by=clerk)

    check.refresh_from_db()
    assert check.status == "review"
    assert len(findings) == 7
    assert _findings(check) == {
        ("missing", missing.code, missing.pk, "write_off"),
        # Not on the shelf and expired: one write-off, reported as missing.
        ("missing", expired_missing.code, expired_missing.pk, "write_off"),
        ("expired", expired.code, expired.pk, "write_off"),
        ("misplaced", misplaced.code, misplaced.pk, "move_here"),
        ("unexpected", written_off.code, written_off.pk, "none"),
        # Another community's item is unknown here: a check reveals nothing across communities.
        ("unexpected", foreign.code, None, "none"),
        ("unexpected", unknown, None, "none"),
    }
    assert set(CheckFinding.objects.values_list("decision", flat=True)) == {"pending"}
    # Seen on this warehouse's shelf and in stock: checked. The misplaced item waits for a decision.
    assert set(ItemEvent.objects.filter(kind=EventKind.CHECKED).values_list("item_id", flat=True)) == {
        fine.pk,
        expired.pk,
    }
    assert misplaced.events.count() == 1


def test_counts_made_stale_by_a_movement_during_the_check_are_flagged() -> None:
    warehouse = WarehouseFactory()
    elsewhere = WarehouseFactory(community=warehouse.community)
    [moved_before, moved_out, written_off, moved_in, steady] = shelved(warehouse, 5)
    clerk = _clerk(warehouse)
    # Moved before the check began: simply not expected here, and not stale.
    record_event(item=moved_before, kind=EventKind.MOVED, by=clerk, warehouse=elsewhere)
    record_event(item=moved_in, kind=EventKind.MOVED, by=clerk, warehouse=elsewhere)
    check = start_check(warehouse=warehouse, by=clerk)

    record_scan(inventory_check=check, typed=written_off.code, by=clerk)
    record_scan(inventory_check=check, typed=steady.code, by=clerk)
    record_event(item=moved_out, kind=EventKind.MOVED, by=clerk, warehouse=elsewhere)
    record_event(item=written_off, kind=EventKind.WRITTEN_OFF, by=clerk, reason="broken")
    record_event(item=moved_in, kind=EventKind.MOVED, by=clerk, warehouse=warehouse)
    close_check(inventory_check=check, by=clerk)

    assert _findings(check) == {
        ("stale", moved_out.code, moved_out.pk, "none"),
        ("stale", written_off.code, written_off.pk, "none"),
        ("stale", moved_in.code, moved_in.pk, "none"),
    }
    assert list(ItemEvent.objects.filter(kind=EventKind.CHECKED).values_list("item_id", flat=True)) == [steady.pk]


def test_a_scan_is_refused_when_it_cannot_be_a_code_or_the_check_is_closed() -> None:
    warehouse = WarehouseFactory()
    [item] = shelved(warehouse, 1)
    clerk = _clerk(warehouse)
    check = start_check(warehouse=warehouse, by=clerk)
    wrong_check_character = item.code[:-1] + ("0" if item.code[-1] != "0" else "1")

    with pytest.raises(InvalidCode, match="is not an item code") as invalid:
        record_scan(inventory_check=check, typed=wrong_check_character, by=clerk)
    first = record_scan(inventory_check=check, typed=item.code, by=clerk)
    again = record_scan(inventory_check=check, typed=item.code_display, by=clerk)
    close_check(inventory_check=check, by=clerk)
    with pytest.raises(CheckConflict, match="This check is closed") as closed:
        record_scan(inventory_check=check, typed=new_code(), by=clerk)

    assert invalid.value.status == 400
    assert closed.value.status == 409
    assert (first.already_scanned, again.already_scanned, again.pk) == (False, True, first.pk)
    assert list(CheckScan.objects.values_list("code", "item_id", "by")) == [(item.code, item.pk, clerk.pk)]


def test_one_check_at_a_time_per_warehouse() -> None:
    warehouse = WarehouseFactory()
    clerk = _clerk(warehouse)
    first = start_check(warehouse=warehouse, by=clerk)

    with pytest.raises(CheckConflict, match=f"already has a check under way \\(#{first.pk}\\)") as conflict:
        start_check(warehouse=warehouse, by=clerk)
    other = start_check(warehouse=WarehouseFactory(community=warehouse.community), by=clerk)
    cancel_check(inventory_check=first, by=clerk)
    second = start_check(warehouse=warehouse, by=clerk, scheduled=True)

    assert conflict.value.status == 409
    assert list(InventoryCheck.objects.order_by("pk").values_list("pk", "status", "scheduled")) == [
        (first.pk, "cancelled", False),
        (other.pk, "open", False),
        (second.pk, "open", True),
    ]


def test_approved_adjustments_become_events_and_the_last_decision_finishes_the_check() -> None:
    warehouse = WarehouseFactory()
    elsewhere = WarehouseFactory(community=warehouse.community)
    [missing, kept] = shelved(warehouse, 2)
    [expired] = shelved(warehouse, 1, expires_on=timezone.localdate() - timedelta(days=2))
    [misplaced] = shelved(elsewhere, 1)
    clerk, manager = _clerk(warehouse), staff_of(warehouse.community)
    check = start_check(warehouse=warehouse, by=clerk)
    for item in [expired, misplaced]:
        record_scan(inventory_check=check, typed=item.code, by=clerk)
    record_scan(inventory_check=check, typed=new_code(), by=clerk)
    close_check(inventory_check=check, by=clerk)
    finding = {f.item_id: f for f in check.findings.all()}

    decide_finding(finding=finding[missing.pk], approve=True, by=manager)
    decide_finding(finding=finding[expired.pk], approve=True, by=manager)
    decide_finding(finding=finding[misplaced.pk], approve=True, by=manager)
    decide_finding(finding=finding[None], approve=False, by=manager)

    check.refresh_from_db()
    assert check.status == "review"  # `kept` is missing too, and still to decide
    assert _events(missing)[-1] == ("written_off", "written_off", warehouse.pk, f"Inventory check #{check.pk}: missing")
    assert _events(expired)[-1] == ("written_off", "written_off", warehouse.pk, f"Inventory check #{check.pk}: expired")
    assert _events(misplaced)[-1] == ("moved", "in_stock", warehouse.pk, f"Inventory check #{check.pk}: misplaced")
    misplaced.refresh_from_db()
    assert (misplaced.warehouse, misplaced.status) == (warehouse, "in_stock")
    assert list(check.findings.order_by("kind", "pk").values_list("kind", "decision", "decided_by")) == [
        ("expired", "approved", manager.pk),
        ("misplaced", "approved", manager.pk),
        ("missing", "approved", manager.pk),
        ("missing", "pending", None),
        ("unexpected", "declined", manager.pk),
    ]
    approved_events = set(check.findings.exclude(event=None).values_list("event__item_id", "event__kind"))
    assert approved_events == {(missing.pk, "written_off"), (expired.pk, "written_off"), (misplaced.pk, "moved")}

    # It was found after all: the manager declines writing it off, and that was the last decision.
    decide_finding(finding=finding[kept.pk], approve=False, by=manager)

    check.refresh_from_db()
    assert check.status == "done"
    assert _events(kept)[-1][0] == "received"


def test_a_finding_is_decided_once() -> None:
    warehouse = WarehouseFactory()
    [item] = shelved(warehouse, 1)
    clerk = _clerk(warehouse)
    check = start_check(warehouse=warehouse, by=clerk)
    [finding] = close_check(inventory_check=check, by=clerk)
    decide_finding(finding=finding, approve=False, by=clerk)

    with pytest.raises(CheckConflict, match="no adjustments to decide") as conflict:
        decide_finding(finding=finding, approve=True, by=clerk)
    with pytest.raises(CheckConflict, match="no adjustments to decide"):
        approve_all(inventory_check=check, by=clerk)

    assert conflict.value.status == 409
    assert item.events.count() == 1
    assert CheckFinding.objects.get().decision == "declined"


def test_an_adjustment_is_refused_when_the_item_changed_after_the_check_closed() -> None:
    warehouse = WarehouseFactory()
    elsewhere = WarehouseFactory(community=warehouse.community)
    third = WarehouseFactory(community=warehouse.community)
    [missing, dispatched_meanwhile] = shelved(warehouse, 2)
    [misplaced] = shelved(elsewhere, 1)
    clerk = _clerk(warehouse)
    check = start_check(warehouse=warehouse, by=clerk)
    record_scan(inventory_check=check, typed=misplaced.code, by=clerk)
    close_check(inventory_check=check, by=clerk)
    record_event(item=misplaced, kind=EventKind.MOVED, by=clerk, warehouse=third)
    record_event(item=dispatched_meanwhile, kind=EventKind.WRITTEN_OFF, by=clerk, reason="mouldy")

    with pytest.raises(ItemNotMovable, match="was moved after the check closed") as moved:
        decide_finding(finding=check.findings.get(item=misplaced), approve=True, by=clerk)
    approval = approve_all(inventory_check=check, by=clerk)

    check.refresh_from_db()
    assert moved.value.status == 409
    assert [f.item_id for f in approval.approved] == [missing.pk]
    after = "after the check closed: count it again, or decline this adjustment."
    assert sorted((f.item_id, reason) for f, reason in approval.refused) == [
        (dispatched_meanwhile.pk, f"{dispatched_meanwhile.code_display} was written off {after}"),
        (misplaced.pk, f"{misplaced.code_display} was moved {after}"),
    ]
    assert check.status == "review"
    assert list(check.findings.filter(decision="pending").values_list("item_id", flat=True).order_by("item_id")) == [
        dispatched_meanwhile.pk,
        misplaced.pk,
    ]
    misplaced.refresh_from_db()
    assert misplaced.warehouse == third
    assert _events(missing)[-1][0] == "written_off"


def test_cancelling_a_check_in_review_makes_no_adjustment() -> None:
    warehouse = WarehouseFactory()
    [item] = shelved(warehouse, 1)
    clerk = _clerk(warehouse)
    check = start_check(warehouse=warehouse, by=clerk)
    close_check(inventory_check=check, by=clerk)

    cancel_check(inventory_check=check, by=clerk)
    with pytest.raises(CheckConflict, match="already cancelled"):
        cancel_check(inventory_check=check, by=clerk)

    check.refresh_from_db()
    assert check.status == "cancelled"
    assert list(check.findings.values_list("kind", "decision")) == [("missing", "pending")]
    assert item.events.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres")
def test_twenty_staff_starting_a_check_of_one_warehouse_at_once_open_one() -> None:
    warehouse = WarehouseFactory()
    clerk = _clerk(warehouse)

    outcomes = race([lambda: start_check(warehouse=warehouse, by=clerk)] * 20)

    assert sorted({type(o).__name__ for o in outcomes}) == ["CheckConflict", "InventoryCheck"]
    assert [type(o).__name__ for o in outcomes].count("InventoryCheck") == 1
    assert InventoryCheck.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres")
def test_twenty_staff_closing_one_check_at_once_close_it_once() -> None:
    warehouse = WarehouseFactory()
    [seen, _lost] = shelved(warehouse, 2)
    clerk = _clerk(warehouse)
    check = start_check(warehouse=warehouse, by=clerk)
    record_scan(inventory_check=check, typed=seen.code, by=clerk)

    outcomes = race([lambda: close_check(inventory_check=check, by=clerk)] * 20)

    assert sorted({type(o).__name__ for o in outcomes}) == ["CheckConflict", "list"]
    assert [type(o).__name__ for o in outcomes].count("list") == 1
    assert CheckFinding.objects.count() == 1
    assert ItemEvent.objects.filter(kind=EventKind.CHECKED).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres")
def test_twenty_staff_approving_at_once_apply_each_adjustment_once() -> None:
    warehouse = WarehouseFactory()
    items = shelved(warehouse, 3)
    clerk = _clerk(warehouse)
    check = start_check(warehouse=warehouse, by=clerk)
    close_check(inventory_check=check, by=clerk)
    first = check.findings.order_by("pk").first()
    assert first is not None

    singles = race([lambda: decide_finding(finding=first, approve=True, by=clerk)] * 20)
    outcomes = race([lambda: approve_all(inventory_check=check, by=clerk)] * 20)

    assert [type(o).__name__ for o in singles].count("CheckFinding") == 1
    assert {type(o).__name__ for o in singles} == {"CheckFinding", "CheckConflict"}
    approvals = [o for o in outcomes if type(o).__name__ == "Approval"]
    assert [len(a.approved) for a in approvals if a.approved] == [2]  # type: ignore[attr-defined]
    assert ItemEvent.objects.filter(kind=EventKind.WRITTEN_OFF).count() == 3
    assert set(Item.objects.filter(pk__in=[i.pk for i in items]).values_list("status", flat=True)) == {"written_off"}
    assert InventoryCheck.objects.get().status == "done"
