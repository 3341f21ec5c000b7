"""The public log: what is appended, once, without personal data; the stored tree; signed checkpoints."""

import base64
import hashlib
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction

from recipients.models import RecipientFamily
from stores.log import item_commitment
from stores.models import ItemEvent
from tests.concurrency import race
from tests.ledger.log_helpers import a_story
from tests.ledger.test_public_log_merkle import reference_path, reference_root, reference_subproof
from yicang.community.models import Household, Resident
from yicang.ledger.log import merkle, signing
from yicang.ledger.log import records as records_module
from yicang.ledger.log import services as services_module
from yicang.ledger.log.models import CHUNK_SIZE, Checkpoint, LogChunk, LogEntry, LogHead
from yicang.ledger.log.records import Source, transaction_record, transaction_rows
from yicang.ledger.log.selectors import StoredTree
from yicang.ledger.log.services import _store_chunks, extend_log, sign_checkpoint
from yicang.ledger.models import Transaction
from yicang.ledger.tasks import extend_public_log, sign_public_log_checkpoint


def records() -> list[dict[str, object]]:
    return [json.loads(entry.data) for entry in LogEntry.objects.order_by("index")]


@pytest.mark.django_db
def test_every_public_event_is_appended_once_in_id_order() -> None:
    story = a_story()

    appended = extend_log()
    again = extend_log()

    transactions = list(Transaction.objects.order_by("pk").values_list("pk", flat=True))
    events = list(ItemEvent.objects.order_by("pk").values_list("pk", flat=True))
    logged = list(LogEntry.objects.order_by("index").values_list("index", "source_type__model", "source_id"))
    assert (appended, again) == (6, 0)
    assert logged == [(i, "transaction", pk) for i, pk in enumerate(transactions)] + [
        (3 + i, "itemevent", pk) for i, pk in enumerate(events)
    ]
    assert [r["id"] for r in records()[:3]] == [story.hours.pk, story.service.pk, story.donation.pk]
    assert LogHead.objects.get().size == 6


@pytest.mark.django_db
def test_a_record_is_canonical_json_and_its_leaf_hash_is_rfc_9162s() -> None:
    a_story()
    extend_log()

    for entry in LogEntry.objects.all():
        record = json.loads(entry.data)
        assert entry.data == json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert bytes(entry.leaf_hash) == hashlib.sha256(b"\x00" + entry.data.encode()).digest()


@pytest.mark.django_db
def test_a_transaction_is_logged_with_its_legs_and_no_household() -> None:
    story = a_story()
    extend_log()
    book = story.book

    by_id = {r["id"]: r for r in records() if r["type"] == "transaction"}

    assert by_id[story.donation.pk] == {
        "type": "transaction",
        "v": 1,
        "id": story.donation.pk,
        "community": "shuijingfang",
        "at": story.donation.posted_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "reverses": None,
        "legs": [
            {"kind": "cash", "account": book.cash.pk, "amount": 5000, "unit": "CNY"},
            {"kind": "yicang_fund", "account": book.fund.pk, "amount": -5000, "unit": "CNY"},
        ],
    }
    assert by_id[story.hours.pk]["legs"] == [
        {"kind": "time", "account": None, "amount": 90, "unit": "MIN"},
        {"kind": "time_pool", "account": book.pool.pk, "amount": -90, "unit": "MIN"},
    ]
    assert by_id[story.service.pk]["legs"] == [
        {"kind": "time", "account": None, "amount": -30, "unit": "MIN"},
        {"kind": "time", "account": None, "amount": 30, "unit": "MIN"},
    ]


@pytest.mark.django_db
def test_an_item_event_is_logged_as_the_trace_shows_it_and_names_the_item_by_a_salted_hash() -> None:
    story = a_story()
    extend_log()
    events = list(ItemEvent.objects.order_by("pk"))

    logged = [r for r in records() if r["type"] == "item_event"]

    assert [(r["kind"], r["community"], r["place"]) for r in logged] == [
        ("received", "shuijingfang", "水井坊社区义仓"),
        ("dispatched", "shuijingfang", "水井坊社区义仓"),
        ("delivered", "shuijingfang", None),
    ]
    assert [r["at"] for r in logged] == [e.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") for e in events]
    assert all(r["item"] == item_commitment(story.item.code, str(r["salt"])) for r in logged)
    assert len({r["salt"] for r in logged}) == 3
    assert all(set(r) == {"type", "v", "item", "salt", "kind", "at", "community", "place"} for r in logged)


@pytest.mark.django_db
def test_no_personal_data_reaches_the_log() -> None:
    story = a_story()
    extend_log()
    text = "\n".join(LogEntry.objects.values_list("data", flat=True))
    recipient = RecipientFamily.objects.select_related("household").get()
    people = [*Household.objects.values_list("name", "address"), *Resident.objects.values_list("name", "name")]
    secrets = {value for pair in people for value in pair if value}
    # the item's code, the donor's public name (on the trace only) and the reasons (free text that may name anyone)
    secrets |= {story.item.code, story.item.code_display, "王家", "王家帮李家", "理发"}

    leaked = [secret for secret in sorted(secrets) if secret in text]

    assert {recipient.household.name, recipient.household.address, "王建国家", "水井街8号", "王建国"} <= secrets
    assert leaked == []
    fields = {key for record in records() for key in record}
    legs = {key for record in records() for leg in record.get("legs", []) for key in leg}  # type: ignore[attr-defined]
    assert fields == {"type", "v", "id", "community", "at", "reverses", "legs", "item", "salt", "kind", "place"}
    assert legs == {"kind", "account", "amount", "unit"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres")
def test_two_workers_extending_at_once_append_each_record_once() -> None:
    a_story()

    outcomes = race([extend_log, extend_log, extend_log])

    assert sorted(outcomes) == [0, 0, 6]  # type: ignore[type-var]
    assert list(LogEntry.objects.order_by("index").values_list("index", flat=True)) == list(range(6))


@pytest.mark.django_db
def test_the_tasks_append_and_sign_once() -> None:
    a_story()

    appended = extend_public_log.delay().get()
    signed = sign_public_log_checkpoint.delay().get()
    nothing_new = sign_public_log_checkpoint.delay().get()

    assert (appended, signed, nothing_new) == (6, 6, None)
    assert Checkpoint.objects.count() == 1


@pytest.mark.django_db
def test_an_empty_log_is_not_signed() -> None:
    assert sign_checkpoint() is None
    assert not Checkpoint.objects.exists()


@pytest.mark.django_db
def test_a_checkpoint_signs_the_size_root_and_time_with_the_logs_key() -> None:
    a_story()
    extend_log()
    when = datetime(2026, 11, 30, 12, 0, 0, 123000, tzinfo=UTC)

    checkpoint = sign_checkpoint(now=when)

    assert checkpoint is not None
    leaves = [bytes(h) for h in LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)]
    root = bytes(checkpoint.root_hash)
    assert (checkpoint.tree_size, checkpoint.timestamp, root) == (6, 1796040000123, reference_root(leaves))
    text = f"yicang-log\n6\n{base64.b64encode(root).decode()}\n1796040000123\n".encode()
    assert signing.checkpoint_text(6, root, 1796040000123) == text
    assert signing.signature_valid(signing.public_key(), text, bytes(checkpoint.signature))
    assert not signing.signature_valid(
        signing.public_key(), text.replace(b"\n6\n", b"\n7\n"), bytes(checkpoint.signature)
    )
    assert checkpoint.key_id == hashlib.sha256(signing.public_key()).hexdigest()[:8]


@pytest.mark.django_db
def test_the_key_comes_from_settings(settings: object) -> None:
    seed = bytes(range(32))
    settings.YICANG_LOG_SIGNING_KEY = base64.b64encode(seed).decode()  # type: ignore[attr-defined]

    expected = signing.public_key_bytes(Ed25519PrivateKey.from_private_bytes(seed).public_key())
    assert signing.public_key() == expected


def fake_leaves(count: int) -> list[bytes]:
    """`count` leaves appended as the service does (chunks included), their data made up."""
    source_type = ContentType.objects.get_for_model(Household)
    entries = [
        LogEntry(
            index=i,
            data=f'{{"n":{i}}}',
            leaf_hash=merkle.leaf_hash(f'{{"n":{i}}}'.encode()),
            source_type=source_type,
            source_id=i + 1,
        )
        for i in range(count)
    ]
    LogEntry.objects.bulk_create(entries)
    _store_chunks(0, count, entries)
    LogHead.objects.update_or_create(id=1, defaults={"size": count})
    return [bytes(e.leaf_hash) for e in entries]


@pytest.mark.django_db
def test_the_stored_tree_gives_the_rfc_roots_and_proofs_across_chunks() -> None:
    leaves = fake_leaves(2 * CHUNK_SIZE + 37)

    assert LogChunk.objects.count() == 2
    for size in [1, 2, 255, 256, 257, 511, 512, 513, 2 * CHUNK_SIZE + 37]:
        tree = StoredTree(size)
        root = reference_root(leaves[:size])
        assert tree.root() == root
        for index in {0, size // 2, size - 1}:
            assert tree.inclusion_proof(index) == reference_path(index, leaves[:size])
        for first in {1, size // 3 or 1, size - 1 or 1, size}:
            assert tree.consistency_proof(first) == reference_subproof(first, leaves[:size], True)


@pytest.mark.django_db
def test_a_proof_reads_the_chunks_and_at_most_two_chunks_of_leaves(django_assert_max_num_queries: object) -> None:
    fake_leaves(4 * CHUNK_SIZE + 10)

    with django_assert_max_num_queries(3):  # type: ignore[operator]
        StoredTree(4 * CHUNK_SIZE + 10).inclusion_proof(CHUNK_SIZE + 3)
    with django_assert_max_num_queries(3):  # type: ignore[operator]
        StoredTree(4 * CHUNK_SIZE + 10).consistency_proof(CHUNK_SIZE + 100)


@pytest.mark.django_db
def test_extending_in_small_batches_stores_the_same_chunks() -> None:
    a_story()

    extend_log(batch=1)

    assert LogHead.objects.get().size == 6
    assert list(LogEntry.objects.order_by("index").values_list("index", flat=True)) == list(range(6))


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres")
def test_postgresql_refuses_to_change_a_leaf() -> None:
    a_story()
    extend_log()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_logentry SET data = '{}' WHERE index = 0")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_logentry")


@pytest.mark.django_db
def test_an_event_that_committed_late_is_found_in_the_window_and_by_the_nightly_sweep(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    story = a_story()
    everything = list(records_module.sources())
    late = story.hours.pk
    # As if the first transaction had not committed yet while the younger ones had.
    hidden = Source(model=Transaction, rows=lambda: transaction_rows().exclude(pk=late), record=transaction_record)
    monkeypatch.setattr(records_module, "_sources", [hidden, *everything[1:]])
    extend_log()
    monkeypatch.setattr(records_module, "_sources", everything)
    monkeypatch.setattr(services_module, "WINDOW", 0)

    missed = extend_log()
    swept = extend_log(full=True)

    assert (missed, swept) == (0, 1)
    assert LogEntry.objects.get(index=5).source_id == late
    monkeypatch.setattr(services_module, "WINDOW", 10)
    assert extend_log(full=True) == extend_log() == 0


@pytest.mark.django_db
def test_chunks_stored_a_batch_at_a_time_are_the_chunks_of_the_whole() -> None:
    source_type = ContentType.objects.get_for_model(Household)
    entries = [
        LogEntry(
            index=i, data=str(i), leaf_hash=merkle.leaf_hash(str(i).encode()), source_type=source_type, source_id=i
        )
        for i in range(600)
    ]

    for start, end in [(0, 100), (100, 300), (300, 301), (301, 600)]:
        LogEntry.objects.bulk_create(entries[start:end])
        _store_chunks(start, end, entries[start:end])

    hashes = [bytes(e.leaf_hash) for e in entries]
    assert [(c.index, bytes(c.hash)) for c in LogChunk.objects.order_by("index")] == [
        (0, reference_root(hashes[:256])),
        (1, reference_root(hashes[256:512])),
    ]
