import copy
import os
import uuid
from collections.abc import Iterator

import pytest
from django.conf import LazySettings
from django.db import connection

from yicang.celery import app as celery_app
from yicang.core import public_cache

REQUIRE_SERVICES = os.environ.get("YICANG_REQUIRE_SERVICES", "") == "1"


def _missing(service: str) -> None:
    message = f"{service} is not configured for this run"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}, and YICANG_REQUIRE_SERVICES=1 requires it")
    pytest.skip(f"{message}: not run")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: LazySettings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_cache(settings: LazySettings) -> None:
    """The configured cache (Redis when REDIS_URL is set), under a prefix of this test's own.

    Public answers are cached until a commit bumps them, and rate limits count in the cache: without
    this, one test would read another's answers and counters.
    """
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches
    # An earlier test's touches never committed; bumped at this test's first commit, they could hide a missing one.
    public_cache.discard_pending()


@pytest.fixture(autouse=True)
def _tasks_in_process() -> Iterator[None]:
    """Tasks run in the test's process unless a test asks for the real worker (see `worker`)."""
    # The app reads its configuration from Django settings under the CELERY_ namespace, so the
    # namespaced key is the one that takes effect (conf.task_always_eager = … would be ignored).
    previous = celery_app.conf.CELERY_TASK_ALWAYS_EAGER
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = True
    yield
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = previous


@pytest.fixture
def redis_url() -> str:
    """The Redis this run uses; a test that needs it is not run without it (fails in CI)."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        _missing("Redis (REDIS_URL)")
    return url


@pytest.fixture
def postgres() -> None:
    """For behaviour only PostgreSQL has (locks, triggers, deferred constraints); request a db fixture too."""
    if connection.vendor != "postgresql":
        _missing("PostgreSQL (DATABASE_URL)")
