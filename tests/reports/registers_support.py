"""What the register tests share: a client that reads the registers in English."""

from typing import Any

from rest_framework.response import Response

from tests.clients import api


def get(url: str, **extra: Any) -> Response:
    response: Response = api().get(url, HTTP_ACCEPT_LANGUAGE="en", **extra)
    return response


def csv_text(url: str) -> str:
    response = api().get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
