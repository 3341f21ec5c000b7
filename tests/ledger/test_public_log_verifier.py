"""`manage.py verify_log` against a running site (pytest-django's live server), through HTTP only."""

import base64
import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from stores.models import EventKind, ItemEvent
from stores.services.items import record_event
from tests.factories import UserFactory
from tests.ledger.conftest import donate
from tests.ledger.log_helpers import Story, a_story
from yicang.ledger.log import merkle, signing
from yicang.ledger.log.models import LogEntry
from yicang.ledger.log.services import extend_log, sign_checkpoint

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres")]


class Site:
    def __init__(self, url: str) -> None:
        self.url = url

    def verify(self, *args: str) -> str:
        out = StringIO()
        call_command("verify_log", "--url", self.url, *args, stdout=out)
        return out.getvalue()


@pytest.fixture
def site(live_server: object) -> Site:
    return Site(str(live_server.url))  # type: ignore[attr-defined]


@pytest.fixture
def story() -> Story:
    story = a_story()
    extend_log()
    sign_checkpoint()
    return story


def raw(sql: str, params: list[object], *, table: str, trigger: str) -> None:
    """Change history behind the application's back, as someone with the database's password could."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        cursor.execute(sql, params)
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")


def test_an_honest_log_and_an_items_trace_verify(site: Site, story: Story, tmp_path: Path) -> None:
    state = tmp_path / "seen.json"

    output = site.verify("--code", story.item.code_display, "--state", str(state))

    assert "Checkpoint of 6 leaves: signature valid" in output
    assert "All 6 leaves make the signed root." in output
    assert f"Item {story.item.code_display}: all 3 steps of its trace are in the signed log." in output
    assert output.rstrip().endswith("The public log verifies.")
    assert json.loads(state.read_text())["tree_size"] == 6


def test_a_log_that_only_grew_verifies_against_the_earlier_checkpoint(site: Site, story: Story, tmp_path: Path) -> None:
    state = tmp_path / "seen.json"
    site.verify("--state", str(state))

    donate(story.book, 700)
    extend_log()
    sign_checkpoint()

    output = site.verify("--state", str(state), "--since-size", "6")

    assert output.count("The log of 6 leaves is a prefix of today's 7.") == 2
    assert json.loads(state.read_text())["tree_size"] == 7


def test_a_changed_item_event_is_caught_against_the_trace(site: Site, story: Story) -> None:
    received = ItemEvent.objects.filter(item=story.item).order_by("pk").first()
    assert received is not None

    raw(
        "UPDATE stores_itemevent SET at = at - interval '2 days' WHERE id = %s",
        [received.pk],
        table="stores_itemevent",
        trigger="stores_itemevent_append_only",
    )

    with pytest.raises(
        CommandError, match=r"Step 1 \(received, .*\): the log says received at .*; the trace shows otherwise"
    ):
        site.verify("--code", story.item.code)


def test_a_changed_leaf_is_caught_by_its_hash_and_by_the_signed_root(site: Site, story: Story) -> None:
    entry = LogEntry.objects.get(index=0)
    forged = entry.data.replace('"amount":90', '"amount":900').replace('"amount":-90', '"amount":-900')
    assert forged != entry.data
    trigger = {"table": "ledger_logentry", "trigger": "ledger_logentry_append_only"}

    raw("UPDATE ledger_logentry SET data = %s WHERE index = 0", [forged], **trigger)
    with pytest.raises(CommandError, match="Leaf 0: its data does not hash to the leaf hash served"):
        site.verify()

    raw("UPDATE ledger_logentry SET leaf_hash = %s WHERE index = 0", [merkle.leaf_hash(forged.encode())], **trigger)
    # SQL by hand bumps no cached answer: the first run's answers would be served until they expire.
    call_command("expire_public_answers", stdout=StringIO())
    with pytest.raises(CommandError, match="The leaves do not make the signed root of the checkpoint of size 6"):
        site.verify()


def test_a_changed_leaf_of_an_item_fails_its_inclusion_proof(site: Site, story: Story) -> None:
    entry = LogEntry.objects.filter(source_type__model="itemevent").order_by("index").last()
    assert entry is not None
    forged = entry.data.replace('"v":1', '"v":1,"x":0')  # still canonical JSON, and still about this item
    trigger = {"table": "ledger_logentry", "trigger": "ledger_logentry_append_only"}

    raw("UPDATE ledger_logentry SET data = %s WHERE index = %s", [forged, entry.index], **trigger)

    with pytest.raises(CommandError, match=r"Step 3 \(delivered, .*\): leaf 5 is not in the signed tree of size 6"):
        site.verify("--code", story.item.code, "--skip-entries")


def test_a_rewritten_history_fails_the_consistency_proof(site: Site, story: Story, tmp_path: Path) -> None:
    state = tmp_path / "seen.json"
    state.write_text(json.dumps({"tree_size": 3, "root_hash": base64.b64encode(b"\x07" * 32).decode()}))

    with pytest.raises(CommandError, match="The tree of size 3 is not a prefix of the tree of size 6"):
        site.verify("--state", str(state))


def test_another_key_than_the_pinned_one_fails(site: Site, story: Story) -> None:
    with pytest.raises(CommandError, match="another public key than the one pinned"):
        site.verify("--key", base64.b64encode(b"\x01" * 32).decode())


def test_an_event_not_yet_signed_fails_with_a_clear_message(site: Site, story: Story) -> None:
    record_event(item=story.item, kind=EventKind.CORRECTED, by=UserFactory(), reason="送错了")
    extend_log()

    with pytest.raises(CommandError, match=r"Step 4 \(corrected, .*\) is not in a signed checkpoint yet"):
        site.verify("--code", story.item.code)


def test_an_unreachable_site_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match=r"Could not read the log from http://127\.0\.0\.1:9"):
        call_command("verify_log", "--url", "http://127.0.0.1:9", stdout=StringIO())


def test_after_a_key_rotation_checkpoints_signed_before_and_after_it_verify(
    site: Site, story: Story, settings: LazySettings
) -> None:
    old = base64.b64encode(signing.public_key()).decode()
    old_id = signing.key_id(signing.public_key())
    settings.YICANG_LOG_SIGNING_KEY = base64.b64encode(bytes(range(32))).decode()
    settings.YICANG_LOG_RETIRED_KEYS = [old]
    new = base64.b64encode(signing.public_key()).decode()
    new_id = signing.key_id(signing.public_key())
    donate(story.book, 700)
    extend_log()
    sign_checkpoint()

    output = site.verify("--since-size", "6", "--skip-entries")
    pinned_both = site.verify("--key", new, "--key", old, "--since-size", "6", "--skip-entries")
    with pytest.raises(CommandError, match=f"The checkpoint of size 6 is signed by key {old_id}, which is not one"):
        site.verify("--key", new, "--since-size", "6", "--skip-entries")
    with pytest.raises(CommandError, match="The site serves another public key than the one pinned"):
        site.verify("--key", old, "--skip-entries")

    assert new_id != old_id
    assert f"Checkpoint of 7 leaves: signature valid (key {new_id})." in output
    assert "The log of 6 leaves is a prefix of today's 7." in output
    assert "The public log verifies." in pinned_both


def test_a_checkpoint_signed_by_a_key_the_site_no_longer_lists_does_not_verify(
    site: Site, story: Story, settings: LazySettings
) -> None:
    old_id = signing.key_id(signing.public_key())
    settings.YICANG_LOG_SIGNING_KEY = base64.b64encode(bytes(range(32))).decode()
    donate(story.book, 700)
    extend_log()
    sign_checkpoint()

    with pytest.raises(CommandError, match=f"signed by key {old_id}, which is not one you trust"):
        site.verify("--since-size", "6", "--skip-entries")
