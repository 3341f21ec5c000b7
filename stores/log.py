"""The store's part of the public log (yicang/ledger/log): one record per item event.

A record says what the public trace says of the step — its kind, time, community and community-level
place — and names the item only by a salted hash of its code. The log is public in full, so the code
itself must not be in it: whoever could read every code could walk every item's trace, which the
unguessable codes exist to prevent. A donor, who holds the code, recomputes the hash to find their
item's steps; anyone else would have to guess a 65-bit code per record.
"""

import hashlib
import secrets
from typing import Any

from django.db.models import QuerySet

from stores.models import EventKind, ItemEvent
from yicang.ledger.log.records import Record, Source, moment, register


def item_commitment(code: str, salt: str) -> str:
    """The hash that stands for an item in the log: SHA-256 of 'yicang-item', the salt and the compact code."""
    return hashlib.sha256(f"yicang-item\n{salt}\n{code}".encode()).hexdigest()


def item_event_rows() -> QuerySet[ItemEvent]:
    return ItemEvent.objects.select_related("item__community", "warehouse")


def item_event_record(event: ItemEvent) -> Record:
    """kind, time, community code and the public place; a delivery's place is "a family", so none."""
    salt = secrets.token_hex(16)
    place: Any = None
    if event.kind != EventKind.DELIVERED and event.warehouse is not None:
        place = event.warehouse.public_place
    return {
        "type": "item_event",
        "v": 1,
        "item": item_commitment(event.item.code, salt),
        "salt": salt,
        "kind": event.kind,
        "at": moment(event.at),
        "community": event.item.community.code,
        "place": place,
    }


def register_item_events() -> None:
    register(Source(model=ItemEvent, rows=item_event_rows, record=item_event_record))
