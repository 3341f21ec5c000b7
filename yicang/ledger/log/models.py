"""The public log's rows: leaves, chunk hashes, the head and the signed checkpoints.

Imported by yicang/ledger/models.py, so they belong to the `ledger` app.
"""

from typing import ClassVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Leaves are grouped in chunks of 2**CHUNK_LEVEL: the hash of every complete chunk is stored, so a root
# or a proof reads n / 256 chunk hashes and at most a few chunks of leaves, not every leaf.
CHUNK_LEVEL = 8
CHUNK_SIZE = 1 << CHUNK_LEVEL


class LogEntry(models.Model):
    """One leaf: the canonical JSON of one public record, at its place in the tree."""

    index = models.BigIntegerField(_("index"), primary_key=True)
    data = models.TextField(_("public record"))
    leaf_hash = models.BinaryField(_("leaf hash"), max_length=32)
    # What the record is of (an item event, a transaction): each is logged once.
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField()
    appended_at = models.DateTimeField(_("appended at"), default=timezone.now)

    class Meta:
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")
        ordering = ["index"]
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id"], name="logentry_one_per_source"),
            models.CheckConstraint(condition=Q(index__gte=0), name="logentry_index_not_negative"),
            models.CheckConstraint(condition=Exact(Length("leaf_hash"), 32), name="logentry_leaf_hash_32_bytes"),
        ]

    def __str__(self) -> str:
        return f"#{self.index}"


class LogChunk(models.Model):
    """The Merkle hash of leaves [index * CHUNK_SIZE, (index + 1) * CHUNK_SIZE), stored once complete."""

    index = models.BigIntegerField(_("index"), primary_key=True)
    hash = models.BinaryField(_("hash"), max_length=32)

    class Meta:
        verbose_name = _("log chunk")
        verbose_name_plural = _("log chunks")
        ordering = ["index"]
        constraints = [models.CheckConstraint(condition=Q(index__gte=0), name="logchunk_index_not_negative")]

    def __str__(self) -> str:
        return f"#{self.index}"


class LogHead(models.Model):
    """The one row holding the log's size; appending locks it, so two workers append one after the other."""

    ONE: ClassVar[int] = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(_("size"), default=0)

    class Meta:
        verbose_name = _("log head")
        verbose_name_plural = _("log heads")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="loghead_singleton"),
            models.CheckConstraint(condition=Q(size__gte=0), name="loghead_size_not_negative"),
        ]

    def __str__(self) -> str:
        return str(self.size)


class Checkpoint(models.Model):
    """A signed tree head: the size and root of the log at a time, signed with the log's Ed25519 key."""

    tree_size = models.BigIntegerField(_("tree size"), unique=True)
    root_hash = models.BinaryField(_("root hash"), max_length=32)
    # Milliseconds since the epoch, as signed; `signed_at` is the same moment for people.
    timestamp = models.BigIntegerField(_("timestamp (ms)"))
    signed_at = models.DateTimeField(_("signed at"))
    key_id = models.CharField(_("key id"), max_length=16)
    signature = models.BinaryField(_("signature"), max_length=64)

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["-tree_size"]
        get_latest_by = "tree_size"
        constraints = [
            models.CheckConstraint(condition=Q(tree_size__gte=0), name="checkpoint_size_not_negative"),
            models.CheckConstraint(condition=Exact(Length("root_hash"), 32), name="checkpoint_root_32_bytes"),
            models.CheckConstraint(condition=Exact(Length("signature"), 64), name="checkpoint_signature_64_bytes"),
        ]

    def __str__(self) -> str:
        return f"{self.tree_size} @ {self.signed_at:%Y-%m-%d %H:%M}"
