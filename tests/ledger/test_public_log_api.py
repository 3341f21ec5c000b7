"""The public log's API: checkpoints, the key, entries, proofs and an item's trace with its leaves."""

import base64
import json

import pytest
from django.test import Client

from tests.ledger.log_helpers import Story, a_story
from tests.ledger.test_public_log import fake_leaves
from yicang.ledger.log import merkle, signing
from yicang.ledger.log.models import LogEntry
from yicang.ledger.log.services import extend_log, sign_checkpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def story() -> Story:
    story = a_story()
    extend_log()
    sign_checkpoint()
    return story


def leaf_hashes() -> list[bytes]:
    return [bytes(h) for h in LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)]


def decoded(values: list[str]) -> list[bytes]:
    return [base64.b64decode(v) for v in values]


def test_the_latest_checkpoint_and_its_signature(story: Story, django_assert_num_queries: object) -> None:
    with django_assert_num_queries(1):  # type: ignore[operator]
        response = Client().get("/api/v1/log/checkpoint/")

    body = response.json()
    root = base64.b64decode(body["root_hash"])
    assert response.status_code == 200
    assert body["tree_size"] == 6
    assert root == merkle.root_of(leaf_hashes())
    assert body["note"] == signing.checkpoint_text(6, root, body["timestamp"]).decode()
    assert signing.signature_valid(signing.public_key(), body["note"].encode(), base64.b64decode(body["signature"]))


def test_an_older_checkpoint_by_size_and_a_missing_one(story: Story) -> None:
    client = Client()

    assert client.get("/api/v1/log/checkpoint/?size=6").json()["tree_size"] == 6
    assert client.get("/api/v1/log/checkpoint/?size=5").status_code == 404
    assert client.get("/api/v1/log/checkpoint/?size=five").status_code == 400


def test_no_checkpoint_yet_is_a_404() -> None:
    assert Client().get("/api/v1/log/checkpoint/").status_code == 404
    assert Client().get("/api/v1/log/proof/inclusion/?index=0").status_code == 404


def test_the_key(django_assert_num_queries: object) -> None:
    with django_assert_num_queries(0):  # type: ignore[operator]
        body = Client().get("/api/v1/log/key/").json()

    assert body == {
        "origin": "yicang-log",
        "algorithm": "Ed25519",
        "public_key": base64.b64encode(signing.public_key()).decode(),
        "key_id": signing.key_id(signing.public_key()),
        "retired": [],
    }


def test_entries_are_served_as_stored_and_bounded(story: Story, django_assert_num_queries: object) -> None:
    with django_assert_num_queries(1):  # type: ignore[operator]
        body = Client().get("/api/v1/log/entries/?start=1&end=3").json()

    stored = list(LogEntry.objects.filter(index__in=[1, 2]).order_by("index"))
    assert body == {
        "start": 1,
        "entries": [
            {"index": e.index, "record": e.data, "leaf_hash": base64.b64encode(bytes(e.leaf_hash)).decode()}
            for e in stored
        ],
    }
    assert len(Client().get("/api/v1/log/entries/?start=0&end=100000").json()["entries"]) == 6
    assert Client().get("/api/v1/log/entries/?start=3&end=1").status_code == 400
    assert Client().get("/api/v1/log/entries/?start=-1&end=1").status_code == 400
    assert Client().get("/api/v1/log/entries/").status_code == 400


def test_entries_are_at_most_a_thousand_a_page() -> None:
    fake_leaves(1200)

    body = Client().get("/api/v1/log/entries/?start=100&end=1200").json()

    assert [e["index"] for e in body["entries"]] == list(range(100, 1100))


def test_an_inclusion_proof_verifies(story: Story, django_assert_max_num_queries: object) -> None:
    hashes = leaf_hashes()

    with django_assert_max_num_queries(4):  # type: ignore[operator]
        body = Client().get("/api/v1/log/proof/inclusion/?index=4").json()

    assert (body["index"], body["tree_size"]) == (4, 6)
    assert base64.b64decode(body["leaf_hash"]) == hashes[4]
    assert merkle.verify_inclusion(hashes[4], 4, 6, decoded(body["audit_path"]), merkle.root_of(hashes))


def test_an_inclusion_proof_out_of_range_is_a_400(story: Story) -> None:
    assert Client().get("/api/v1/log/proof/inclusion/?index=6").status_code == 400
    assert Client().get("/api/v1/log/proof/inclusion/?index=0&size=7").status_code == 400
    assert Client().get("/api/v1/log/proof/inclusion/").status_code == 400


def test_a_consistency_proof_verifies(story: Story, django_assert_max_num_queries: object) -> None:
    hashes = leaf_hashes()

    with django_assert_max_num_queries(4):  # type: ignore[operator]
        body = Client().get("/api/v1/log/proof/consistency/?first=3&second=6").json()

    assert (body["first"], body["second"]) == (3, 6)
    assert merkle.verify_consistency(3, 6, merkle.root_of(hashes[:3]), merkle.root_of(hashes), decoded(body["proof"]))
    assert Client().get("/api/v1/log/proof/consistency/?first=0&second=6").status_code == 400
    assert Client().get("/api/v1/log/proof/consistency/?first=3&second=9").status_code == 400


def test_the_trace_log_gives_each_steps_leaf(story: Story, django_assert_max_num_queries: object) -> None:
    stored = {e.source_id: e for e in LogEntry.objects.filter(source_type__model="itemevent")}
    events = list(story.item.events.order_by("at", "pk"))

    with django_assert_max_num_queries(3):  # type: ignore[operator]
        response = Client().get(f"/api/v1/trace/{story.item.code_display.lower()}/log/")

    body = response.json()
    assert response.status_code == 200
    assert body["code"] == story.item.code_display
    assert [(s["kind"], s["index"], s["record"]) for s in body["steps"]] == [
        (e.kind, stored[e.pk].index, stored[e.pk].data) for e in events
    ]
    assert [json.loads(s["record"])["kind"] for s in body["steps"]] == ["received", "dispatched", "delivered"]


def test_the_trace_log_of_an_unknown_or_private_item_is_a_404(story: Story) -> None:
    story.item.__class__.objects.filter(pk=story.item.pk).update(public=False)

    assert Client().get(f"/api/v1/trace/{story.item.code}/log/").status_code == 404
    assert Client().get("/api/v1/trace/nothing/log/").status_code == 404


def test_a_step_not_yet_logged_has_no_leaf() -> None:
    story = a_story()

    body = Client().get(f"/api/v1/trace/{story.item.code}/log/").json()

    assert [(s["index"], s["record"]) for s in body["steps"]] == [(None, None)] * 3


def test_proofs_in_a_tree_of_several_chunks_take_five_queries(django_assert_max_num_queries: object) -> None:
    hashes = fake_leaves(600)
    sign_checkpoint()
    root = merkle.root_of(hashes)

    with django_assert_max_num_queries(5):  # type: ignore[operator]
        inclusion = Client().get("/api/v1/log/proof/inclusion/?index=300").json()
    with django_assert_max_num_queries(5):  # type: ignore[operator]
        consistency = Client().get("/api/v1/log/proof/consistency/?first=299").json()

    assert merkle.verify_inclusion(hashes[300], 300, 600, decoded(inclusion["audit_path"]), root)
    assert merkle.verify_consistency(299, 600, merkle.root_of(hashes[:299]), root, decoded(consistency["proof"]))
