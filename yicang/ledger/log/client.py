"""The verifier: checks the public log through its public API only, as anyone outside could.

Nothing here reads the database or imports a model; `manage.py verify_log` runs it. HTTP is urllib from
the standard library; the hashing and signature checks are this package's `merkle` and `signing`.
"""

import base64
import binascii
import hashlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from yicang.ledger.log import merkle, signing

PAGE = 1000


class VerificationFailed(Exception):
    """The log, a proof or the trace is not what it should be; the message says what and where."""


@dataclass(frozen=True)
class Head:
    size: int
    root: bytes
    key_id: str = ""  # the key that signed it, when it came from a signed checkpoint


def decode_b64(value: Any, what: str) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise VerificationFailed(_("%(what)s is not base64: %(value)r") % {"what": what, "value": value}) from None


def encode_b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


class LogClient:
    """GETs JSON from a Yicang site; waits and retries when rate limited."""

    def __init__(self, base_url: str, *, timeout: float = 30, sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.sleep = sleep

    def get(self, path: str, **params: Any) -> Any:
        url = f"{self.base_url}{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        if not url.startswith(("https://", "http://")):
            raise VerificationFailed(_("Not an http(s) address: %(url)s") % {"url": url})
        request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 (scheme checked)
        for _attempt in range(5):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (scheme checked)
                    return json.loads(response.read().decode())
            except urllib.error.HTTPError as error:
                if error.code != 429:
                    raise VerificationFailed(
                        _("GET %(url)s answered %(status)s.") % {"url": url, "status": error.code}
                    ) from None
                self.sleep(float(error.headers.get("Retry-After") or 5))
        raise VerificationFailed(_("GET %(url)s stayed rate limited.") % {"url": url})


def verified_checkpoint(client: LogClient, keys: dict[str, bytes], size: int | None = None) -> Head:
    """The checkpoint (the latest, or the one of `size`) whose signature checks with the trusted key it names.

    `keys` are the trusted keys by id (public_keys); the id the site serves only picks among them.
    """
    served = client.get("/api/v1/log/checkpoint/", **({"size": size} if size is not None else {}))
    head = Head(int(served["tree_size"]), decode_b64(served["root_hash"], _("the root hash")), str(served["key_id"]))
    key = keys.get(head.key_id)
    if key is None:
        raise VerificationFailed(
            _("The checkpoint of size %(size)s is signed by key %(key)s, which is not one you trust.")
            % {"size": head.size, "key": head.key_id}
        )
    text = signing.checkpoint_text(head.size, head.root, int(served["timestamp"]))
    if not signing.signature_valid(key, text, decode_b64(served["signature"], _("the signature"))):
        raise VerificationFailed(
            _("The checkpoint of size %(size)s is not signed by the log's key.") % {"size": head.size}
        )
    return head


def public_keys(client: LogClient, pinned: Sequence[str] = ()) -> tuple[str, dict[str, bytes]]:
    """The id of the key the site signs with now, and the keys to trust by id.

    Without `pinned` (base64 keys you hold), the site's own: its current key and those it retired.
    With them, only those, and the site's current key must be one of them.
    """
    served = client.get("/api/v1/log/key/")
    current = decode_b64(served["public_key"], _("the public key"))
    current_id = signing.key_id(current)
    if pinned:
        trusted = {signing.key_id(key): key for key in (decode_b64(k, _("the pinned key")) for k in pinned)}
        if trusted.get(current_id) != current:
            raise VerificationFailed(_("The site serves another public key than the one pinned."))
        return current_id, trusted
    retired = [decode_b64(key["public_key"], _("the public key")) for key in served.get("retired", [])]
    return current_id, {signing.key_id(key): key for key in [current, *retired]}


def verify_entries(client: LogClient, head: Head, progress: Callable[[int], None] | None = None) -> dict[int, str]:
    """Fetch every leaf of the checkpoint's tree, recompute the root and compare; the leaves by index."""
    data: dict[int, str] = {}
    hashes: list[bytes] = []
    while len(hashes) < head.size:
        page = client.get("/api/v1/log/entries/", start=len(hashes), end=min(len(hashes) + PAGE, head.size))
        if not page["entries"]:
            raise VerificationFailed(
                _("The log serves no leaf at %(index)s, below its size %(size)s.")
                % {"index": len(hashes), "size": head.size}
            )
        for entry in page["entries"]:
            index = len(hashes)
            if entry["index"] != index:
                raise VerificationFailed(
                    _("Leaf %(index)s was expected, leaf %(served)s was served.")
                    % {"index": index, "served": entry["index"]}
                )
            computed = merkle.leaf_hash(entry["record"].encode())
            if computed != decode_b64(entry["leaf_hash"], _("a leaf hash")):
                raise VerificationFailed(
                    _("Leaf %(index)s: its data does not hash to the leaf hash served.") % {"index": index}
                )
            data[index] = entry["record"]
            hashes.append(computed)
        if progress is not None:
            progress(len(hashes))
    if merkle.root_of(hashes) != head.root:
        raise VerificationFailed(
            _("The leaves do not make the signed root of the checkpoint of size %(size)s.") % {"size": head.size}
        )
    return data


def verify_consistency(client: LogClient, old: Head, new: Head) -> None:
    """That the tree `old` (an earlier checkpoint) is a prefix of `new`: nothing was changed or removed."""
    if old.size > new.size:
        raise VerificationFailed(
            _("The log shrank from %(old)s to %(new)s leaves.") % {"old": old.size, "new": new.size}
        )
    if old.size == 0:
        return
    served = client.get("/api/v1/log/proof/consistency/", first=old.size, second=new.size)
    proof = [decode_b64(p, _("a proof hash")) for p in served["proof"]]
    if not merkle.verify_consistency(old.size, new.size, old.root, new.root, proof):
        raise VerificationFailed(
            _("The tree of size %(old)s is not a prefix of the tree of size %(new)s: the log was rewritten.")
            % {"old": old.size, "new": new.size}
        )


def item_commitment(code: str, salt: str) -> str:
    """As stores.log.item_commitment, written again here: the verifier shares no code with the site."""
    return hashlib.sha256(f"yicang-item\n{salt}\n{code}".encode()).hexdigest()


def _same_time(logged: str, shown: str) -> bool:
    try:
        return datetime.fromisoformat(logged) == datetime.fromisoformat(shown)
    except ValueError:
        return False


def verify_item(client: LogClient, head: Head, code: str, leaves: dict[int, str] | None = None) -> int:
    """Every step of the item's public trace is a leaf of the signed tree that says the same; the count.

    The leaf names the item by SHA-256 of its salt and code, which only a holder of the code can check.
    """
    quoted = urllib.parse.quote(code, safe="")
    trace = client.get(f"/api/v1/trace/{quoted}/")
    logged = client.get(f"/api/v1/trace/{quoted}/log/")
    compact = str(trace["code"]).replace("-", "")
    steps = trace["steps"]
    if len(steps) != len(logged["steps"]):
        raise VerificationFailed(
            _("The trace shows %(shown)s steps, its log lists %(logged)s.")
            % {"shown": len(steps), "logged": len(logged["steps"])}
        )
    for number, (step, leaf) in enumerate(zip(steps, logged["steps"], strict=True), start=1):
        where = _("Step %(number)s (%(kind)s, %(at)s)") % {"number": number, "kind": step["kind"], "at": step["at"]}
        index = leaf["index"]
        if index is None or index >= head.size:
            raise VerificationFailed(
                _("%(step)s is not in a signed checkpoint yet; try again after the next one.") % {"step": where}
            )
        data = str(leaf["record"])
        if leaves is not None and leaves.get(index) != data:
            raise VerificationFailed(
                _("%(step)s: leaf %(index)s differs from the one in the log's entries.")
                % {"step": where, "index": index}
            )
        record = json.loads(data)
        item = item_commitment(compact, str(record.get("salt", "")))
        if record.get("type") != "item_event" or record.get("item") != item:
            raise VerificationFailed(
                _("%(step)s: leaf %(index)s is not about this item.") % {"step": where, "index": index}
            )
        if record.get("kind") != step["kind"] or not _same_time(str(record.get("at")), str(step["at"])):
            raise VerificationFailed(
                _("%(step)s: the log says %(kind)s at %(at)s; the trace shows otherwise.")
                % {"step": where, "kind": record.get("kind"), "at": record.get("at")}
            )
        if record.get("place") is not None and record["place"] != step["where"]:
            raise VerificationFailed(
                _("%(step)s: the log says %(logged)s; the trace shows %(shown)s.")
                % {"step": where, "logged": record["place"], "shown": step["where"]}
            )
        proof = client.get("/api/v1/log/proof/inclusion/", index=index, size=head.size)
        path = [decode_b64(p, _("a proof hash")) for p in proof["audit_path"]]
        if not merkle.verify_inclusion(merkle.leaf_hash(data.encode()), index, head.size, path, head.root):
            raise VerificationFailed(
                _("%(step)s: leaf %(index)s is not in the signed tree of size %(size)s.")
                % {"step": where, "index": index, "size": head.size}
            )
    return len(steps)
