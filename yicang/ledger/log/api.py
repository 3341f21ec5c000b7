"""The public log's read-only API, under /api/v1/log/: anyone may read it, rate limited like the rest."""

import base64
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yicang.core.api import cached_answer
from yicang.ledger.log import selectors, signing
from yicang.ledger.log.models import Checkpoint


def b64(raw: bytes | memoryview) -> str:
    return base64.b64encode(bytes(raw)).decode()


def _number(request: Request, name: str, default: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        if default is None:
            raise ValidationError({name: _("This parameter is required.")})
        return default
    if not raw.isdigit():
        raise ValidationError({name: _("Give a whole number, 0 or more.")})
    return int(raw)


class CheckpointSerializer(serializers.Serializer[Any]):
    tree_size = serializers.IntegerField()
    root_hash = serializers.CharField(help_text="base64 SHA-256 root (RFC 9162)")
    timestamp = serializers.IntegerField(help_text="milliseconds since the epoch, as signed")
    signed_at = serializers.DateTimeField()
    key_id = serializers.CharField()
    signature = serializers.CharField(help_text="base64 Ed25519 signature of `note`")
    note = serializers.CharField(help_text='the signed text: "yicang-log\\n<size>\\n<base64 root>\\n<timestamp>\\n"')


def checkpoint_data(checkpoint: Checkpoint) -> dict[str, Any]:
    root = bytes(checkpoint.root_hash)
    return {
        "tree_size": checkpoint.tree_size,
        "root_hash": b64(root),
        "timestamp": checkpoint.timestamp,
        "signed_at": checkpoint.signed_at,
        "key_id": checkpoint.key_id,
        "signature": b64(checkpoint.signature),
        "note": signing.checkpoint_text(checkpoint.tree_size, root, checkpoint.timestamp).decode(),
    }


class PublicLogView(APIView):
    permission_classes = [AllowAny]


# The answers below that read the log are cached until it grows or is signed.
cached_log_answer = cached_answer(lambda view, request, kwargs: [selectors.LOG_TOPIC])


class CheckpointView(PublicLogView):
    """The latest signed checkpoint of the public log, or the one of a given size."""

    @extend_schema(
        tags=["public"],
        parameters=[OpenApiParameter("size", int, description="the checkpoint of this tree size; latest if left out")],
        responses={200: CheckpointSerializer, 404: OpenApiResponse(description="no such checkpoint yet")},
    )
    @cached_log_answer
    def get(self, request: Request) -> Response:
        asked = request.query_params.get("size")
        found = selectors.checkpoint_of_size(_number(request, "size")) if asked else selectors.latest_checkpoint()
        if found is None:
            raise NotFound(_("No checkpoint has been signed for that size."))
        return Response(CheckpointSerializer(checkpoint_data(found)).data)


class RetiredKeySerializer(serializers.Serializer[Any]):
    public_key = serializers.CharField(help_text="base64 raw 32-byte Ed25519 public key")
    key_id = serializers.CharField()


class KeySerializer(serializers.Serializer[Any]):
    origin = serializers.CharField()
    algorithm = serializers.CharField()
    public_key = serializers.CharField(help_text="base64 raw 32-byte Ed25519 public key: the key signing now")
    key_id = serializers.CharField()
    retired = RetiredKeySerializer(many=True, help_text="earlier keys, newest first: checkpoints they signed verify")


class KeyView(PublicLogView):
    """The public key that verifies the log's checkpoints, and the keys retired before it."""

    @extend_schema(tags=["public"], responses={200: KeySerializer})
    def get(self, request: Request) -> Response:  # read from settings, no query: nothing to cache
        public = signing.public_key()
        data = {
            "origin": signing.ORIGIN,
            "algorithm": "Ed25519",
            "public_key": b64(public),
            "key_id": signing.key_id(public),
            "retired": [{"public_key": b64(key), "key_id": signing.key_id(key)} for key in signing.retired_keys()],
        }
        return Response(KeySerializer(data).data)


class EntrySerializer(serializers.Serializer[Any]):
    index = serializers.IntegerField()
    record = serializers.CharField(help_text="the canonical JSON record; its leaf hash is SHA-256(0x00 || its UTF-8)")
    leaf_hash = serializers.CharField()


class EntriesSerializer(serializers.Serializer[Any]):
    start = serializers.IntegerField()
    entries = EntrySerializer(many=True)


class EntriesView(PublicLogView):
    """Leaves start <= index < end of the log, at most 1,000 at a time: ask again from the next index."""

    @extend_schema(
        tags=["public"],
        parameters=[OpenApiParameter("start", int, required=True), OpenApiParameter("end", int, required=True)],
        responses={200: EntriesSerializer, 400: OpenApiResponse(description="start or end missing or not a number")},
    )
    @cached_log_answer
    def get(self, request: Request) -> Response:
        start, end = _number(request, "start"), _number(request, "end")
        if end < start:
            raise ValidationError({"end": _("end must not be below start.")})
        rows = [
            {"index": e.index, "record": e.data, "leaf_hash": b64(e.leaf_hash)} for e in selectors.entries(start, end)
        ]
        return Response(EntriesSerializer({"start": start, "entries": rows}).data)


class InclusionSerializer(serializers.Serializer[Any]):
    index = serializers.IntegerField()
    tree_size = serializers.IntegerField()
    leaf_hash = serializers.CharField()
    audit_path = serializers.ListField(child=serializers.CharField(), help_text="base64 hashes, leaf side first")


def _tree_size(request: Request, name: str) -> int:
    size = request.query_params.get(name)
    if size:
        return _number(request, name)
    latest = selectors.latest_checkpoint()
    if latest is None:
        raise NotFound(_("No checkpoint has been signed yet."))
    return latest.tree_size


class InclusionProofView(PublicLogView):
    """The audit path of one leaf in the tree of a given size (RFC 9162 §2.1.3)."""

    @extend_schema(
        tags=["public"],
        parameters=[
            OpenApiParameter("index", int, required=True),
            OpenApiParameter("size", int, description="the tree size; the latest checkpoint's if left out"),
        ],
        responses={200: InclusionSerializer, 400: OpenApiResponse(description="index or size out of range")},
    )
    @cached_log_answer
    def get(self, request: Request) -> Response:
        index, size = _number(request, "index"), _tree_size(request, "size")
        if not index < size <= selectors.log_size():
            raise ValidationError({"size": _("Give a size the log has reached, above the index.")})
        tree = selectors.StoredTree(size)
        path = tree.inclusion_proof(index)
        data = {
            "index": index,
            "tree_size": size,
            "leaf_hash": b64(tree.node(0, index)),
            "audit_path": [b64(p) for p in path],
        }
        return Response(InclusionSerializer(data).data)


class ConsistencySerializer(serializers.Serializer[Any]):
    first = serializers.IntegerField()
    second = serializers.IntegerField()
    proof = serializers.ListField(child=serializers.CharField(), help_text="base64 hashes (RFC 9162 §2.1.4)")


class ConsistencyProofView(PublicLogView):
    """That the tree of size `first` is a prefix of the tree of size `second` (RFC 9162 §2.1.4)."""

    @extend_schema(
        tags=["public"],
        parameters=[
            OpenApiParameter("first", int, required=True),
            OpenApiParameter("second", int, description="the latest checkpoint's size if left out"),
        ],
        responses={200: ConsistencySerializer, 400: OpenApiResponse(description="sizes out of range")},
    )
    @cached_log_answer
    def get(self, request: Request) -> Response:
        first, second = _number(request, "first"), _tree_size(request, "second")
        if not 0 < first <= second <= selectors.log_size():
            raise ValidationError({"second": _("Give 0 < first <= second, within the log's size.")})
        proof = selectors.StoredTree(second).consistency_proof(first)
        return Response(
            ConsistencySerializer({"first": first, "second": second, "proof": [b64(p) for p in proof]}).data
        )
