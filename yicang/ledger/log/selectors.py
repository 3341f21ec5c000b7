"""Reads of the public log: its size, entries, checkpoints, and roots and proofs from the stored hashes."""

from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from yicang.ledger.log import merkle
from yicang.ledger.log.models import CHUNK_LEVEL, CHUNK_SIZE, Checkpoint, LogChunk, LogEntry, LogHead

MAX_ENTRIES = 1000
# The topic of every public answer read from the log (see yicang.core.public_cache): bumped when it grows or is signed.
LOG_TOPIC = "log"


def log_size() -> int:
    """How many leaves the log holds (signed or not yet)."""
    size = LogHead.objects.values_list("size", flat=True).first()
    return int(size or 0)


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-tree_size").first()


def checkpoint_of_size(size: int) -> Checkpoint | None:
    return Checkpoint.objects.filter(tree_size=size).first()


def entries(start: int, end: int) -> list[LogEntry]:
    """Leaves start <= index < end, at most MAX_ENTRIES of them, in index order."""
    end = min(end, start + MAX_ENTRIES)
    return list(LogEntry.objects.filter(index__gte=start, index__lt=end).order_by("index"))


def entries_of(rows: Sequence[Model]) -> dict[int, LogEntry]:
    """The leaf of each of these rows (all of one model) that the log holds, by the row's id. One query."""
    if not rows:
        return {}
    source_type = ContentType.objects.get_for_model(rows[0])
    found = LogEntry.objects.filter(source_type=source_type, source_id__in=[row.pk for row in rows])
    return {entry.source_id: entry for entry in found}


class StoredTree:
    """The tree of the log's first `size` leaves, from the stored chunk and leaf hashes.

    A root or a proof reads the hashes of the complete chunks (size / 256 of them, one query) and the
    leaves of at most a few chunks (one query each); every hash computed is kept for the next step.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._chunks: dict[int, bytes] | None = None
        self._leaves: dict[int, list[bytes]] = {}
        self._memo: dict[tuple[int, int], bytes] = {}

    def _chunk(self, index: int) -> bytes:
        if (index + 1) * CHUNK_SIZE > self.size:
            raise ValueError(f"chunk {index} is not complete in a tree of {self.size}")
        if self._chunks is None:
            complete = self.size // CHUNK_SIZE
            rows = LogChunk.objects.filter(index__lt=complete).values_list("index", "hash")
            self._chunks = {int(i): bytes(h) for i, h in rows}
        found = self._chunks.get(index)
        return found if found is not None else self._node(CHUNK_LEVEL, index, from_leaves=True)

    def _leaf_hashes(self, chunk: int) -> list[bytes]:
        if chunk not in self._leaves:
            start = chunk * CHUNK_SIZE
            end = min(start + CHUNK_SIZE, self.size)
            rows = LogEntry.objects.filter(index__gte=start, index__lt=end).order_by("index")
            self._leaves[chunk] = [bytes(h) for h in rows.values_list("leaf_hash", flat=True)]
        return self._leaves[chunk]

    def _node(self, level: int, index: int, *, from_leaves: bool = False) -> bytes:
        key = (level, index)
        if key in self._memo:
            return self._memo[key]
        if level == 0:
            chunk, offset = divmod(index, CHUNK_SIZE)
            digest = self._leaf_hashes(chunk)[offset]
        elif level == CHUNK_LEVEL and not from_leaves:
            digest = self._chunk(index)
        else:
            digest = merkle.node_hash(self._node(level - 1, 2 * index), self._node(level - 1, 2 * index + 1))
        self._memo[key] = digest
        return digest

    def node(self, level: int, index: int) -> bytes:
        if (index + 1) << level > self.size:
            raise ValueError(f"node {level}/{index} is beyond a tree of {self.size}")
        return self._node(level, index)

    def root(self) -> bytes:
        return merkle.range_hash(self.node, 0, self.size)

    def inclusion_proof(self, index: int) -> list[bytes]:
        return merkle.inclusion_proof(self.node, index, self.size)

    def consistency_proof(self, first: int) -> list[bytes]:
        return merkle.consistency_proof(self.node, first, self.size)
