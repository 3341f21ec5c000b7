"""What a scan at a warehouse means: the steps the scanning page takes, built on `items.record_event`."""

from dataclasses import dataclass

from django.db import transaction

from stores.models import EventKind, Item, ItemEvent, Warehouse
from stores.services.items import record_event
from yicang.community.models import User


@dataclass(frozen=True)
class Arrival:
    """What a scan at a warehouse did: the events written (none when the item was already there)."""

    item: Item
    events: list[ItemEvent]


@transaction.atomic
def receive_at(*, item: Item, warehouse: Warehouse, by: User) -> Arrival:
    """An item has arrived at `warehouse`: back from a delivery (returned), or from another warehouse (moved).

    An item out for delivery is returned to stock here (whichever warehouse it left from); an item in stock
    elsewhere is moved here; an item already in stock here needs nothing. Raises ItemNotMovable (409) for
    an item that cannot be here now (delivered, sold, written off, reserved for a delivery) and IntakeError
    for another community's warehouse; nothing is written then.
    """
    events = []
    if item.status == Item.Status.DISPATCHED:
        events.append(record_event(item=item, kind=EventKind.RETURNED, by=by, warehouse=warehouse))
        item.refresh_from_db(fields=["status", "warehouse", "delivery"])
    elif item.warehouse_id != warehouse.pk or item.status != Item.Status.IN_STOCK:
        events.append(record_event(item=item, kind=EventKind.MOVED, by=by, warehouse=warehouse))
        item.refresh_from_db(fields=["status", "warehouse", "delivery"])
    return Arrival(item=item, events=events)


@transaction.atomic
def move_to(*, item: Item, warehouse: Warehouse, by: User) -> Arrival:
    """Move an item in stock to `warehouse` (scanned as it leaves or as it is shelved); nothing if it is there.

    Raises ItemNotMovable (409) for an item not in stock, IntakeError for another community's warehouse.
    """
    events = []
    if item.warehouse_id != warehouse.pk or item.status != Item.Status.IN_STOCK:
        events.append(record_event(item=item, kind=EventKind.MOVED, by=by, warehouse=warehouse))
        item.refresh_from_db(fields=["status", "warehouse", "delivery"])
    return Arrival(item=item, events=events)
