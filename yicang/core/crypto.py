"""Sealing personal data at rest, and keyed hashes to find duplicates without decrypting.

A sealed value is a Fernet token (AES-128-CBC with HMAC-SHA256, timestamped); keys come from
settings.YICANG_FIELD_KEYS, newest first. Nothing decrypts implicitly: a page that shows a sealed
value goes through yicang.community.sensitive.reveal(), which checks the permission and logs.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def seal(plaintext: str) -> str:
    return _fernet(tuple(settings.YICANG_FIELD_KEYS)).encrypt(plaintext.encode()).decode()


def unseal(token: str) -> str:
    return _fernet(tuple(settings.YICANG_FIELD_KEYS)).decrypt(token.encode()).decode()


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised value: equal inputs match, and nobody without the key can test guesses."""
    return hmac.new(settings.YICANG_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()
