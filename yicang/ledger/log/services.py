"""Appending to the public log and signing its checkpoints. The worker runs both (yicang/ledger/tasks.py)."""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from yicang.core import public_cache
from yicang.ledger.log import merkle, signing
from yicang.ledger.log.models import CHUNK_SIZE, Checkpoint, LogChunk, LogEntry, LogHead
from yicang.ledger.log.records import canonical, sources
from yicang.ledger.log.selectors import LOG_TOPIC, StoredTree

BATCH = 2000
# How far below the newest logged id a run looks for rows that committed late (see extend_log).
WINDOW = 10_000


def _locked_head() -> LogHead:
    # The row may be missing on a database flushed by tests; two workers creating it at once is harmless.
    LogHead.objects.bulk_create([LogHead(id=LogHead.ONE)], ignore_conflicts=True)
    return LogHead.objects.select_for_update().get(pk=LogHead.ONE)


def extend_log(*, batch: int = BATCH, full: bool = False) -> int:
    """Append the public events not yet in the log, oldest id first per source; return how many.

    Each batch is one transaction under a row lock of the log's head, so two workers running this at
    once append one after the other, and a record is never appended twice (also a unique key).
    An event whose transaction commits after a younger one's (its id is older) is still found: each
    run looks for what the log lacks among the last WINDOW ids below the newest logged one, and
    `full=True` (the nightly sweep) among all of them, so the runs every minute stay cheap.
    """
    total = 0
    while (appended := _append_batch(batch, full=full)) > 0:
        total += appended
        if appended < batch:
            break
    return total


@transaction.atomic
def _append_batch(batch: int, *, full: bool) -> int:
    head = _locked_head()
    old_size = head.size
    new: list[LogEntry] = []
    for source in sources():
        room = batch - len(new)
        if room <= 0:
            break
        source_type = ContentType.objects.get_for_model(source.model)
        logged = LogEntry.objects.filter(source_type=source_type)
        pending = source.rows().filter(~Exists(logged.filter(source_id=OuterRef("pk"))))
        if not full:
            newest = logged.aggregate(newest=Max("source_id"))["newest"] or 0
            pending = pending.filter(pk__gt=newest - WINDOW)
        for row in pending.order_by("pk")[:room]:
            data = canonical(source.record(row))
            new.append(
                LogEntry(
                    index=old_size + len(new),
                    data=data,
                    leaf_hash=merkle.leaf_hash(data.encode()),
                    source_type=source_type,
                    source_id=row.pk,
                )
            )
    if not new:
        return 0
    LogEntry.objects.bulk_create(new)
    public_cache.touch(LOG_TOPIC)
    head.size = old_size + len(new)
    head.save(update_fields=["size"])
    _store_chunks(old_size, head.size, new)
    return len(new)


def _store_chunks(old_size: int, new_size: int, new: list[LogEntry]) -> None:
    first, last = old_size // CHUNK_SIZE, new_size // CHUNK_SIZE
    if first == last:
        return
    earlier = LogEntry.objects.filter(index__gte=first * CHUNK_SIZE, index__lt=old_size).order_by("index")
    hashes = [bytes(h) for h in earlier.values_list("leaf_hash", flat=True)]
    hashes += [bytes(entry.leaf_hash) for entry in new]
    LogChunk.objects.bulk_create(
        [
            LogChunk(
                index=chunk,
                hash=merkle.root_of(hashes[(chunk - first) * CHUNK_SIZE : (chunk - first + 1) * CHUNK_SIZE]),
            )
            for chunk in range(first, last)
        ]
    )


@transaction.atomic
def sign_checkpoint(*, now: datetime | None = None) -> Checkpoint | None:
    """Sign the log's current size and root with the log's key; None when nothing was appended since the last.

    Holds the head's row lock, so the size signed is the size whose root is computed, and two runs at
    once make one checkpoint.
    """
    head = _locked_head()
    latest = Checkpoint.objects.order_by("-tree_size").first()
    if head.size == 0 or (latest is not None and latest.tree_size >= head.size):
        return None
    root = StoredTree(head.size).root()
    when = now or timezone.now()
    timestamp = int(when.timestamp() * 1000)
    signature = signing.sign(signing.checkpoint_text(head.size, root, timestamp))
    public_cache.touch(LOG_TOPIC)
    return Checkpoint.objects.create(
        tree_size=head.size,
        root_hash=root,
        timestamp=timestamp,
        signed_at=when,
        key_id=signing.key_id(signing.public_key()),
        signature=signature,
    )
