"""Public answers cached until what they read changes.

A public answer (a register's page, an item's trace, a community's funds, the log's checkpoint) is
cached under the version tokens of the *topics* it reads. A topic names a part of the data, broad
("forums") or narrow ("item:YC2611…", "community:42"). A write bumps the tokens of the topics it
touches once its transaction commits: by then the new rows are visible, so the next request
computes and caches them, and the answers cached under the old tokens are never read again (they
expire on their own). Every answer also reads the topic ALL, which a change of everything (a
community renamed, a person erased) bumps.

Topics are bumped in two ways:

- `watch(model, topics_of)`: post_save and post_delete of the model bump `topics_of(row, created)`.
  Each app declares in its ready() which of its models public answers read. That is the one place
  this project uses signals, and it is not domain logic: nothing the programme does depends on it,
  and it catches every way a row is saved (services, the admin, the shell, demo data) in apps that
  a lower layer may not import.
- `touch(*topics)`: called where rows are written without signals (bulk_create, update()), next to
  the write, so a reader sees it there.

What slips past both (SQL by hand) is stale for at most CACHE_SECONDS, or until
`manage.py expire_public_answers`. Tokens are read before the
answer is computed: a change committed meanwhile leaves that answer under the old token, unread.
"""

import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from hashlib import blake2b
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language
from redis.exceptions import RedisError

T = TypeVar("T")

logger = logging.getLogger(__name__)

ALL = "*"
# What the cache raises when Redis cannot be reached. Cached answers and rate limits then step aside,
# logged, so the public pages stay up (uncached, unlimited) until it is back; /healthz says it is down.
CACHE_DOWN = (RedisError,)

# A backstop for writes that bump nothing (SQL by hand), not the means of freshness.
CACHE_SECONDS = 300
# Losing a token costs only a recount (a new token is drawn), so tokens need not outlive a day.
TOKEN_SECONDS = 24 * 3600

_pending = threading.local()


def _token_key(topic: str) -> str:
    return f"public:topic:{topic}"


def tokens(topics: Iterable[str]) -> str:
    """The current tokens of ALL and `topics`, as one string; one cache round trip when all are known."""
    names = sorted({ALL, *topics})
    keys = [_token_key(topic) for topic in names]
    found: dict[str, str] = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, timeout=TOKEN_SECONDS)
            found[key] = cache.get(key) or ""
    return ".".join(found[key] for key in keys)


def _flush() -> None:
    topics: set[str] = getattr(_pending, "topics", set())
    if topics:
        _pending.topics = set()
        cache.set_many({_token_key(topic): uuid.uuid4().hex for topic in topics}, timeout=TOKEN_SECONDS)


def touch(*topics: str) -> None:
    """Make every answer that reads these topics stale once the current transaction commits.

    The topics of one transaction are bumped together in one cache call. Each call registers its own
    on_commit callback, so a savepoint rolled back cannot drop another call's topics; a rolled-back
    touch may still be bumped with them, which only costs a recount. The callback is robust: with the
    cache down, the write that committed still succeeds, the failure is logged, and the answers are
    stale for at most CACHE_SECONDS.
    """
    if not topics:
        return
    pending: set[str] = getattr(_pending, "topics", set())
    pending.update(topics)
    _pending.topics = pending
    transaction.on_commit(_flush, robust=True)


def expire_all() -> None:
    """Make every cached answer stale now, not at a commit: for rows changed by hand, which bump nothing."""
    cache.set(_token_key(ALL), uuid.uuid4().hex, timeout=TOKEN_SECONDS)


def discard_pending() -> None:
    """Forget the topics touched in this thread's transactions that never committed.

    A rolled-back transaction's topics stay pending and are bumped at the thread's next commit, which
    costs only a recount; tests, whose transactions all roll back, start clean with this instead.
    """
    _pending.topics = set()


def cached(topics: Sequence[str], key: str, compute: Callable[[], T]) -> T:
    """`compute()`, or what it gave before under the same key, topics' tokens and language.

    None is never cached: "not found" may turn true by an insert in bulk, which bumps nothing.
    """
    try:
        full = (
            "public:answer:" + blake2b(f"{get_language()}|{key}|{tokens(topics)}".encode(), digest_size=20).hexdigest()
        )
        hit: T | None = cache.get(full)
    except CACHE_DOWN as error:
        logger.warning("The cache is down (%s): %s is answered without it.", error, key)
        return compute()
    if hit is not None:
        return hit
    value = compute()
    if value is not None:
        try:
            cache.set(full, value, CACHE_SECONDS)
        except CACHE_DOWN as error:
            logger.warning("The cache is down (%s): %s is not kept.", error, key)
    return value


TopicsOf = Callable[[Any, bool], Iterable[str]]
_watched: dict[type[models.Model], list[TopicsOf]] = {}


def _saved(sender: type[models.Model], instance: models.Model, created: bool = False, **kwargs: Any) -> None:
    topics = [topic for topics_of in _watched[sender] for topic in topics_of(instance, created)]
    touch(*topics)


def watch(model: type[models.Model], topics_of: TopicsOf) -> None:
    """Bump `topics_of(row, created)` whenever a row of `model` is saved or deleted (created is False then)."""
    if model not in _watched:
        _watched[model] = []
        post_save.connect(_saved, sender=model, dispatch_uid=f"public-cache-{model._meta.label}-save")
        post_delete.connect(_saved, sender=model, dispatch_uid=f"public-cache-{model._meta.label}-delete")
    if topics_of not in _watched[model]:
        _watched[model].append(topics_of)


def topics(*names: str) -> TopicsOf:
    """A topics_of for `watch` that bumps the same topics whatever the row."""
    return lambda row, created: names


def community_topic(community_id: int) -> str:
    return f"community:{community_id}"


def of_community(*also: str) -> TopicsOf:
    """A topics_of for rows that belong to a community: its topic, and `also`."""
    return lambda row, created: (community_topic(row.community_id), *also)
