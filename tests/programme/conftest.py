from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.utils import translation

from tests.factories import CommunityFactory, staff_of
from yicang.community.models import Community, StaffMembership, User


@dataclass
class Place:
    """A community with its centre manager and a member of its centre staff."""

    community: Community
    manager: User
    staff: User


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English; the pages are asked for in English too (HTTP_ACCEPT_LANGUAGE)."""
    with translation.override("en"):
        yield


def make_place(name: str, code: str) -> Place:
    community = CommunityFactory(name=name, code=code)
    return Place(
        community=community,
        manager=staff_of(community, username=f"{code}-manager"),
        staff=staff_of(community, role=StaffMembership.Role.STAFF, username=f"{code}-staff"),
    )


@pytest.fixture
def here(db: None) -> Place:
    return make_place("水井坊社区", "shuijingfang")


@pytest.fixture
def there(db: None) -> Place:
    return make_place("交子社区", "jiaozi")
