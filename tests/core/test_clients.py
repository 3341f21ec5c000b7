"""Rate limits per client: anonymous page requests, and which address counts behind proxies."""

import pytest
from django.conf import LazySettings
from django.test import Client

from tests.clients import signed_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/forums/"


def _statuses(client: Client, count: int, **extra: str) -> list[int]:
    return [client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en", **extra).status_code for _ in range(count)]


def test_anonymous_page_requests_past_the_rate_get_429_with_when_to_come_back(settings: LazySettings) -> None:
    settings.PAGE_RATE = "3/m"
    client = Client()

    statuses = _statuses(client, 3)
    refused = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en")
    in_chinese = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Please wait a minute and try again." in refused.content.decode()
    assert "请稍等一分钟再试。" in in_chinese.content.decode()


def test_a_signed_in_person_is_not_limited_by_the_page_rate(settings: LazySettings) -> None:
    settings.PAGE_RATE = "2/m"
    client = signed_in(UserFactory())

    assert _statuses(client, 4) == [200, 200, 200, 200]


def test_the_api_keeps_its_own_rate_and_the_page_rate_leaves_it_alone(settings: LazySettings) -> None:
    settings.PAGE_RATE = "1/m"
    client = Client()

    assert [client.get("/api/v1/log/key/").status_code for _ in range(3)] == [200, 200, 200]
    assert _statuses(client, 2) == [200, 429]


def test_without_trusted_proxies_a_forwarded_for_header_cannot_open_a_new_bucket(settings: LazySettings) -> None:
    settings.PAGE_RATE = "2/m"
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "2/minute"},
    }
    client = Client()

    pages = [client.get(PAGE, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(3)]
    api = [client.get("/api/v1/log/key/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(3)]

    assert pages == [200, 200, 429]
    assert api == [200, 200, 429]


def test_behind_one_trusted_proxy_each_forwarded_client_has_its_own_bucket(settings: LazySettings) -> None:
    settings.PAGE_RATE = "1/m"
    settings.REST_FRAMEWORK = {  # what YICANG_TRUSTED_PROXIES=1 sets at start-up, for pages and the API alike
        **settings.REST_FRAMEWORK,
        "NUM_PROXIES": 1,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "1/minute"},
    }
    client = Client()

    # The proxy appends the address it saw; what the client wrote before it is not believed.
    first = [client.get(PAGE, HTTP_X_FORWARDED_FOR=f"198.51.100.9, 203.0.113.{n}").status_code for n in (1, 2)]
    again = client.get(PAGE, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.1").status_code
    api = [client.get("/api/v1/log/key/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in (1, 2, 1)]
    garbage = [client.get(PAGE, HTTP_X_FORWARDED_FOR="not-an-address").status_code for _ in range(2)]

    assert first == [200, 200]
    assert again == 429
    assert api == [200, 200, 429]
    assert garbage == [200, 429]  # counted as the proxy itself, not a 500


def test_with_the_cache_down_public_pages_and_endpoints_still_answer(settings: LazySettings) -> None:
    # A real Redis client pointed at a port where nothing listens: rate limits and cached answers step aside.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    client = Client()

    statuses = {
        url: client.get(url).status_code
        for url in [
            PAGE,
            "/t/0000000000001",
            "/api/v1/trace/0000000000001/",
            "/api/v1/registers/volunteers/",
            "/api/v1/log/key/",
        ]
    }

    assert statuses == {
        PAGE: 200,
        "/t/0000000000001": 404,
        "/api/v1/trace/0000000000001/": 404,
        "/api/v1/registers/volunteers/": 200,
        "/api/v1/log/key/": 200,
    }
