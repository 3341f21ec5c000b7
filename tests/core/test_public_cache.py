"""The versioned cache of public answers: what a touch does, when, and what it cannot lose."""

import logging

import pytest
from django.conf import LazySettings
from django.db import transaction
from django.utils import translation

from tests.factories import CommunityFactory
from yicang.community.models import Community
from yicang.core import public_cache


def _counting(value: str, calls: list[str]) -> str:
    calls.append(value)
    return value


@pytest.mark.django_db(transaction=True)
def test_an_answer_is_computed_once_until_a_topic_it_reads_is_touched() -> None:
    calls: list[str] = []

    first = public_cache.cached(["a"], "k", lambda: _counting("one", calls))
    again = public_cache.cached(["a"], "k", lambda: _counting("two", calls))
    public_cache.touch("b")  # outside a transaction: bumped at once
    unrelated = public_cache.cached(["a"], "k", lambda: _counting("three", calls))
    public_cache.touch("a")
    fresh = public_cache.cached(["a"], "k", lambda: _counting("four", calls))

    assert (first, again, unrelated, fresh) == ("one", "one", "one", "four")
    assert calls == ["one", "four"]


def test_expiring_everything_recomputes_every_answer() -> None:
    public_cache.cached(["a"], "k", lambda: "old")
    public_cache.cached([], "other", lambda: "old")

    public_cache.expire_all()

    assert public_cache.cached(["a"], "k", lambda: "new") == "new"
    assert public_cache.cached([], "other", lambda: "new") == "new"


def test_answers_are_kept_per_language() -> None:
    with translation.override("zh-hans"):
        chinese = public_cache.cached([], "k", lambda: "中文")
    with translation.override("en"):
        english = public_cache.cached([], "k", lambda: "English")

    assert (chinese, english) == ("中文", "English")


def test_nothing_found_is_never_cached() -> None:
    calls: list[str] = []

    public_cache.cached([], "k", lambda: calls.append("first"))
    found = public_cache.cached([], "k", lambda: _counting("found", calls))

    assert found == "found"
    assert calls == ["first", "found"]


@pytest.mark.django_db(transaction=True)
def test_a_touch_takes_effect_when_its_transaction_commits_not_before() -> None:
    public_cache.cached(["a"], "k", lambda: "before")

    with transaction.atomic():
        public_cache.touch("a")
        during = public_cache.cached(["a"], "k", lambda: "during")

    assert during == "before"
    assert public_cache.cached(["a"], "k", lambda: "after") == "after"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_cannot_drop_a_later_touch_of_the_same_transaction() -> None:
    public_cache.cached(["a"], "k", lambda: "before")

    with transaction.atomic():
        try:
            with transaction.atomic():
                public_cache.touch("b")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        public_cache.touch("a")

    assert public_cache.cached(["a"], "k", lambda: "after") == "after"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_bumps_nothing_by_itself() -> None:
    public_cache.cached(["a"], "k", lambda: "before")

    def touch_then_fail() -> None:
        with transaction.atomic():
            public_cache.touch("a")
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        touch_then_fail()

    assert public_cache.cached(["a"], "k", lambda: "after") == "before"


@pytest.mark.django_db(transaction=True)
def test_saving_a_watched_model_bumps_its_topics_on_commit() -> None:
    # Community is watched by yicang.community: any save of one restarts every public answer.
    community = CommunityFactory(name="旧名")
    public_cache.cached(["a"], "k", lambda: "before")

    community.name = "新名"
    community.save()

    assert public_cache.cached(["a"], "k", lambda: "after") == "after"


@pytest.mark.django_db(transaction=True)
def test_a_write_that_committed_stands_when_the_cache_is_down(
    settings: LazySettings, caplog: pytest.LogCaptureFixture
) -> None:
    # A real Redis client pointed at a port where nothing listens: the cache is down, not imitated.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }

    # The project's logging keeps Django's records from the root logger, where caplog listens.
    django_db_log = logging.getLogger("django.db.backends.base")
    django_db_log.addHandler(caplog.handler)
    try:
        with transaction.atomic():
            community = CommunityFactory(name="新社区")  # watched: its save touches every answer
    finally:
        django_db_log.removeHandler(caplog.handler)

    assert Community.objects.get(pk=community.pk).name == "新社区"
    assert "Error calling _flush in on_commit()" in caplog.text
