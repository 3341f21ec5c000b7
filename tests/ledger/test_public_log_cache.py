"""The public log's API answers from the cache until the log grows or is signed (yicang.core.public_cache).

Every log answer reads the topic LOG_TOPIC, which extend_log and sign_checkpoint bump when they commit.
Writes run inside `django_capture_on_commit_callbacks(execute=True)`, which stands for their commit; the
story a test starts from is committed the same way, so what it touched is bumped before the first request.
"""

import base64
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from io import StringIO

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from tests.clients import asked_twice
from tests.ledger.conftest import donate
from tests.ledger.log_helpers import Story, a_story
from tests.ledger.test_public_log_verifier import raw
from yicang.ledger.log import merkle, signing
from yicang.ledger.log.models import LogEntry
from yicang.ledger.log.services import extend_log, sign_checkpoint
from yicang.ledger.models import Transaction

OnCommit = Callable[..., AbstractContextManager[list[Callable[[], None]]]]

LOG = "/api/v1/log/"


def get(path: str) -> HttpResponse:
    """An anonymous request under /api/v1/log/, in English."""
    response: HttpResponse = Client().get(LOG + path, HTTP_ACCEPT_LANGUAGE="en")
    return response


def leaf_hashes() -> list[bytes]:
    return [bytes(h) for h in LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)]


def decoded(values: list[str]) -> list[bytes]:
    return [base64.b64decode(value) for value in values]


def indexes(response: HttpResponse) -> list[int]:
    return [entry["index"] for entry in response.json()["entries"]]


@pytest.fixture
def story(db: None, django_capture_on_commit_callbacks: OnCommit) -> Story:
    """Six public events, logged and signed in a checkpoint of size 6, committed."""
    with django_capture_on_commit_callbacks(execute=True):
        story = a_story()
        extend_log()
        sign_checkpoint()
    return story


@pytest.mark.parametrize(
    ("path", "first_queries"),
    [
        ("checkpoint/", 1),  # the latest checkpoint
        ("entries/?start=0&end=100", 1),  # the entries
        ("proof/inclusion/?index=4", 3),  # the latest checkpoint, the log's size, the leaves' hashes
        ("proof/consistency/?first=3", 3),  # the latest checkpoint, the log's size, the leaves' hashes
        ("key/", 0),  # read from the settings
    ],
)
def test_a_repeated_request_is_answered_from_the_cache_without_a_query(
    story: Story, path: str, first_queries: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # Given a log of six leaves signed at size 6 (the story)
    hashes = leaf_hashes()

    # When the same answer is asked for twice, the second is the first, from the cache
    again = asked_twice(lambda: get(path), first_queries, django_assert_num_queries)

    # Then it says what it holds
    body = again.json()
    if path.startswith("checkpoint"):
        assert (body["tree_size"], base64.b64decode(body["root_hash"])) == (6, merkle.root_of(hashes))
    elif path.startswith("entries"):
        assert indexes(again) == [0, 1, 2, 3, 4, 5]
    elif path.startswith("proof/inclusion"):
        assert (body["index"], body["tree_size"]) == (4, 6)
        assert merkle.verify_inclusion(hashes[4], 4, 6, decoded(body["audit_path"]), merkle.root_of(hashes))
    elif path.startswith("proof/consistency"):
        assert (body["first"], body["second"]) == (3, 6)
        assert merkle.verify_consistency(
            3, 6, merkle.root_of(hashes[:3]), merkle.root_of(hashes), decoded(body["proof"])
        )
    else:
        assert body["key_id"] == signing.key_id(signing.public_key())


def test_new_events_show_once_the_log_is_extended_and_signed(
    story: Story, django_capture_on_commit_callbacks: OnCommit, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # Given the checkpoint, the entries and an entries page past the end, cached
    checkpoint, everything, beyond = "checkpoint/", "entries/?start=0&end=100", "entries/?start=6&end=100"
    assert get(checkpoint).json()["tree_size"] == 6
    assert indexes(get(everything)) == [0, 1, 2, 3, 4, 5]
    assert indexes(get(beyond)) == []

    # When new money is given, committed, the log has not taken it yet and its answers stay cached
    with django_capture_on_commit_callbacks(execute=True):
        donation = donate(story.book, 700)
    assert isinstance(donation, Transaction)
    with django_assert_num_queries(0):
        assert get(checkpoint).json()["tree_size"] == 6
        assert indexes(get(beyond)) == []

    # When the log is extended, committed
    with django_capture_on_commit_callbacks(execute=True):
        assert extend_log() == 1

    # Then the entries beyond the old size show the donation's leaf, and the checkpoint is still the signed one
    with django_assert_num_queries(1):
        new = get(beyond).json()["entries"]
    assert [entry["index"] for entry in new] == [6]
    record = json.loads(new[0]["record"])
    assert (record["type"], record["id"]) == ("transaction", donation.pk)
    assert sorted(leg["amount"] for leg in record["legs"]) == [-700, 700]
    assert indexes(get(everything)) == [0, 1, 2, 3, 4, 5, 6]
    with django_assert_num_queries(1):
        assert get(checkpoint).json()["tree_size"] == 6

    # When the log is signed, committed
    with django_capture_on_commit_callbacks(execute=True):
        assert sign_checkpoint() is not None

    # Then the checkpoint is of size 7 over all seven leaves, and the log of 6 is shown to be its prefix
    body = get(checkpoint).json()
    hashes = leaf_hashes()
    assert (body["tree_size"], base64.b64decode(body["root_hash"])) == (7, merkle.root_of(hashes))
    proof = get("proof/consistency/?first=6").json()
    assert (proof["first"], proof["second"]) == (6, 7)
    assert merkle.verify_consistency(6, 7, merkle.root_of(hashes[:6]), merkle.root_of(hashes), decoded(proof["proof"]))


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres")
def test_expire_public_answers_makes_a_row_changed_by_hand_show(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    # Given a logged and signed story (really committed) whose first entry is cached
    a_story()
    extend_log()
    sign_checkpoint()
    entry = LogEntry.objects.get(index=0)
    assert [e["record"] for e in get("entries/?start=0&end=1").json()["entries"]] == [entry.data]

    # When the entry is changed with SQL by hand, which no cache hears of
    forged = entry.data.replace('"v":1', '"v":1,"x":0')
    assert forged != entry.data
    raw(
        "UPDATE ledger_logentry SET data = %s WHERE index = 0",
        [forged],
        table="ledger_logentry",
        trigger="ledger_logentry_append_only",
    )

    # Then the cached answer is still served, the old record
    with django_assert_num_queries(0):
        stale = get("entries/?start=0&end=1").json()
    assert [e["record"] for e in stale["entries"]] == [entry.data]

    # When the command expires every cached answer
    out = StringIO()
    call_command("expire_public_answers", stdout=out)

    # Then the next request reads the row again and shows what it now holds
    with django_assert_num_queries(1):
        fresh = get("entries/?start=0&end=1").json()
    assert [e["record"] for e in fresh["entries"]] == [forged]
    assert out.getvalue() == "Every cached public answer is stale; the next request for each recomputes it.\n"
