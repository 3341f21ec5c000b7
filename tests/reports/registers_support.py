"""What the register tests share: a cache of their own, and a client that reads the registers in English."""

import uuid
from typing import Any

import pytest
from django.conf import LazySettings
from rest_framework.response import Response

from tests.clients import api


@pytest.fixture
def local_cache(settings: LazySettings) -> None:
    """A cache for this test alone: the shared Redis holds other runs' rate counters and pages."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"t-{uuid.uuid4()}"}
    }


def get(url: str, **extra: Any) -> Response:
    response: Response = api().get(url, HTTP_ACCEPT_LANGUAGE="en", **extra)
    return response


def csv_text(url: str) -> str:
    response = api().get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
