"""What the public log holds of each event: canonical JSON records without personal data.

A record is a JSON object with sorted keys, no spaces and UTF-8 text, so the same record is always the
same bytes and a verifier can hash what the API serves. Every record carries `type` and `v`.

The ledger cannot import the apps above it, so each app that has public events registers a `Source`
(stores registers its item events in its AppConfig.ready); the ledger registers its transactions here.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Model, Prefetch, QuerySet

from yicang.ledger.models import Account, Leg, Transaction

Record = dict[str, Any]


def canonical(record: Record) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def moment(value: datetime) -> str:
    """A time as the log writes it: UTC, microseconds, 'Z'."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Source:
    """Rows of one model that go to the log, oldest id first, and how each becomes its public record."""

    model: type[Model]
    # The rows with what `record` reads already joined, so a batch costs a fixed number of queries.
    rows: Callable[[], QuerySet[Any]]
    record: Callable[[Any], Record]


_sources: list[Source] = []


def register(source: Source) -> None:
    if all(known.model is not source.model for known in _sources):
        _sources.append(source)


def sources() -> Iterable[Source]:
    return tuple(_sources)


def transaction_rows() -> QuerySet[Transaction]:
    legs = Leg.objects.select_related("account").order_by("pk")
    return Transaction.objects.select_related("community").prefetch_related(Prefetch("legs", queryset=legs))


def transaction_record(txn: Transaction) -> Record:
    """A movement of money or time: the community, the time, and each leg's account kind, amount and unit.

    Never the reason (free text that may name a family) nor who recorded it. A fund's or cash account's
    id is given (the public fund pages show them); a household's time account is not, since a lasting
    number in a log that is never erased would let anyone follow one family's hours.
    """
    return {
        "type": "transaction",
        "v": 1,
        "id": txn.pk,
        "community": txn.community.code,
        "at": moment(txn.posted_at),
        "reverses": txn.reverses_id,
        "legs": [
            {
                "kind": leg.account.kind,
                "account": None if leg.account.kind == Account.Kind.TIME else leg.account_id,
                "amount": leg.amount,
                "unit": leg.account.unit,
            }
            for leg in txn.legs.all()
        ],
    }


register(Source(model=Transaction, rows=transaction_rows, record=transaction_record))
