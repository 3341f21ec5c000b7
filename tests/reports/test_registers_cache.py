import re
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date

import pytest
from django.conf import LazySettings
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from donors.services import save_compassion_family
from tests.clients import signed_in
from tests.factories import CommunityFactory, UserFactory
from tests.factories.donors import CompassionFamilyFactory
from tests.factories.volunteers import TimeDonationFactory, VolunteerFactory
from tests.reports.registers_support import csv_text, get
from volunteers.services import confirm_time_donation
from yicang.privacy.services import erase_household

pytestmark = pytest.mark.django_db

URL = "/api/v1/registers/"
OnCommit = Callable[..., AbstractContextManager[list[Callable[[], None]]]]


def test_a_second_identical_request_is_answered_from_the_cache_without_a_query(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    community = CommunityFactory(code="shuijingfang")
    VolunteerFactory(community=community, consenting=True, resident__name="张志愿")
    VolunteerFactory(consenting=True, resident__name="别处")

    with django_assert_num_queries(1):
        first = get(URL + "volunteers/?community=shuijingfang")
    with django_assert_num_queries(0):
        again = get(URL + "volunteers/?community=shuijingfang")
    with django_assert_num_queries(1):
        other = get(URL + "volunteers/")

    assert again.content == first.content
    assert [row["name"] for row in again.json()["results"]] == ["张志愿"]
    assert [row["name"] for row in other.json()["results"]] == ["别处", "张志愿"]


def test_hours_confirmed_through_the_service_show_in_the_next_response(
    django_capture_on_commit_callbacks: OnCommit, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # committed: only the change under test bumps below
        volunteer = VolunteerFactory(consenting=True, resident__name="张志愿")
        donation = TimeDonationFactory(volunteer=volunteer, minutes=30)
        clerk = UserFactory(is_superuser=True)
    assert [row["hours"] for row in get(URL + "volunteers/").json()["results"]] == ["0.00"]

    with django_capture_on_commit_callbacks(execute=True):
        confirm_time_donation(donation=donation, by=clerk)

    with django_assert_num_queries(1):
        response = get(URL + "volunteers/")
    assert [row["hours"] for row in response.json()["results"]] == ["0.50"]


def test_a_consent_withdrawn_through_the_service_removes_the_name_at_once(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # committed: only the change under test bumps below
        family = CompassionFamilyFactory(consenting=True, household__name="王家")
    assert [row["name"] for row in get(URL + "donor-families/").json()["results"]] == ["王家"]

    family.public_name_consent = False
    with django_capture_on_commit_callbacks(execute=True):
        save_compassion_family(family=family, by=UserFactory())

    assert [row["name"] for row in get(URL + "donor-families/").json()["results"]] == [None]
    assert "王家" not in csv_text(URL + "donor-families/csv/")


def test_a_consent_withdrawn_in_the_admin_removes_the_name_at_once(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # committed: only the change under test bumps below
        volunteer = VolunteerFactory(consenting=True, resident__name="张志愿", since=date(2024, 3, 5))
        admin = signed_in(UserFactory(is_superuser=True, is_staff=True))
    assert [row["name"] for row in get(URL + "volunteers/").json()["results"]] == ["张志愿"]

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            f"/admin/volunteers/volunteer/{volunteer.pk}/change/",
            {
                "community": volunteer.community_id,
                "resident": volunteer.resident_id,
                "skills": "",
                "availability": "",
                "status": "active",
                "since": "2024-03-05",
            },
        )

    assert response.status_code == 302
    assert [row["name"] for row in get(URL + "volunteers/").json()["results"]] == [None]


def test_an_erased_household_leaves_every_register_at_once(django_capture_on_commit_callbacks: OnCommit) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # committed: only the change under test bumps below
        family = CompassionFamilyFactory(consenting=True, household__name="王家")
        VolunteerFactory(community=family.community, resident__household=family.household, consenting=True)
        clerk = UserFactory(is_superuser=True)
    assert {row["name"] for row in get(URL + "donor-families/").json()["results"]} == {"王家"}
    named = get(URL + "volunteers/").json()["results"][0]["name"]
    assert named is not None

    with django_capture_on_commit_callbacks(execute=True):
        # Written with bulk updates, which send no signal: the recorded erasure is what bumps the registers.
        erase_household(household=family.household, by=clerk, reason="本人要求删除")

    assert [row["name"] for row in get(URL + "donor-families/").json()["results"]] == [None]
    assert [row["name"] for row in get(URL + "volunteers/").json()["results"]] == [None]


def test_the_registers_answer_429_past_the_anonymous_rate(settings: LazySettings) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "3/minute"},
    }
    VolunteerFactory()

    statuses = [get(URL + "volunteers/").status_code for _ in range(2)]
    statuses.append(get(URL + "media/csv/").status_code)
    refused = get(URL + "volunteers/")
    refused_csv = Client().get(URL + "volunteers/csv/", HTTP_ACCEPT_LANGUAGE="en")

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Request was throttled.")
    assert refused_csv.status_code == 429
    assert refused_csv.content.decode().startswith("field,message\r\ndetail,Request was throttled.")


def test_cached_pages_come_back_whole_from_redis(
    settings: LazySettings, redis_url: str, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"test-registers-{uuid.uuid4().hex}",
        }
    }
    CompassionFamilyFactory(consenting=True, household__name="王家", opinion_leader=True)
    first = get(URL + "donor-families/", REMOTE_ADDR=f"10.9.{uuid.uuid4().int % 250}.7")

    with django_assert_num_queries(0):
        again = get(URL + "donor-families/", REMOTE_ADDR=f"10.9.{uuid.uuid4().int % 250}.8")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.json()["results"][0]["name"] == "王家"


def test_the_api_documentation_needs_no_outside_asset() -> None:
    html = Client().get("/api/docs/").content.decode()

    assets = re.findall(r"""(?:src|href)=["']([^"']+)""", html)
    assert assets
    assert all(asset.startswith("/static/") for asset in assets), assets
    assert re.findall(r"https?://", html) == []


def test_every_public_endpoint_is_tagged_public_in_the_schema() -> None:
    schema = Client().get("/api/schema/?format=json").json()

    public = sorted(
        path for path, operations in schema["paths"].items() if "public" in operations.get("get", {}).get("tags", [])
    )

    assert public == [
        "/api/v1/funds/{code}/",
        "/api/v1/funds/{code}/{id}/",
        "/api/v1/log/checkpoint/",
        "/api/v1/log/entries/",
        "/api/v1/log/key/",
        "/api/v1/log/proof/consistency/",
        "/api/v1/log/proof/inclusion/",
        "/api/v1/public/forum-issues/",
        "/api/v1/public/forum-issues/{id}/",
        "/api/v1/public/forums/",
        "/api/v1/public/forums/{id}/",
        "/api/v1/publicity/{code}/",
        "/api/v1/registers/assistant-enterprises/",
        "/api/v1/registers/assistant-enterprises/csv/",
        "/api/v1/registers/donor-families/",
        "/api/v1/registers/donor-families/csv/",
        "/api/v1/registers/media/",
        "/api/v1/registers/media/csv/",
        "/api/v1/registers/recipient-families/",
        "/api/v1/registers/recipient-families/csv/",
        "/api/v1/registers/volunteers/",
        "/api/v1/registers/volunteers/csv/",
        "/api/v1/trace/{code}/",
        "/api/v1/trace/{code}/log/",
    ]
