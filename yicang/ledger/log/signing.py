"""Checkpoints: the text that is signed, and the log's Ed25519 keys.

The current key (settings.YICANG_LOG_SIGNING_KEY) signs; the public halves of earlier ones
(settings.YICANG_LOG_RETIRED_KEYS) are served beside it, so that checkpoints signed before a rotation
still verify. Each checkpoint names its key by id.

The signed text is a checkpoint in the manner of C2SP signed notes and RFC 9162 signed tree heads:
"yicang-log\n<tree size>\n<base64 root hash>\n<timestamp in ms>\n". A verifier rebuilds it from the
served fields, so it never has to trust a text the server sends.
"""

import base64
import hashlib
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

ORIGIN = "yicang-log"


def checkpoint_text(size: int, root: bytes, timestamp: int) -> bytes:
    return f"{ORIGIN}\n{size}\n{base64.b64encode(root).decode()}\n{timestamp}\n".encode()


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public: bytes) -> str:
    """A short name of a public key: the first 8 hex digits of its SHA-256."""
    return hashlib.sha256(public).hexdigest()[:8]


@cache
def _signing_key(seed: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(seed))


def signing_key() -> Ed25519PrivateKey:
    return _signing_key(settings.YICANG_LOG_SIGNING_KEY)


def public_key() -> bytes:
    return public_key_bytes(signing_key().public_key())


def retired_keys() -> list[bytes]:
    return [base64.b64decode(key) for key in settings.YICANG_LOG_RETIRED_KEYS]


def sign(text: bytes) -> bytes:
    return signing_key().sign(text)


def signature_valid(public: bytes, text: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, text)
    except (InvalidSignature, ValueError):
        return False
    return True
