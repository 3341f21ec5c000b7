from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import translation

from donors.models import CompassionFamily
from tests.factories import CommunityFactory, UserFactory, staff_of
from tests.factories.donors import CompassionFamilyFactory
from yicang.community.models import Community, User

# (family, its recruiter, opinion leader), in the order they joined:
#   王家 ─ 李家 ─ 刘家 ─ 杨家        赵家 ─ 黄家        吴家 (on its own)
#        │      └ 陈家
#        └ 张家
TREE = [
    ("王家", None, True),
    ("李家", "王家", False),
    ("张家", "王家", False),
    ("刘家", "李家", False),
    ("陈家", "李家", False),
    ("杨家", "刘家", False),
    ("赵家", None, True),
    ("黄家", "赵家", False),
    ("吴家", None, False),
]


@dataclass
class Side:
    community: Community
    staff: User


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English: the Chinese catalogue does not have the donors' strings yet."""
    with translation.override("en"):
        yield


@pytest.fixture
def side_a(db: None) -> Side:
    community = CommunityFactory(name="水井坊社区", code="shuijingfang")
    return Side(community=community, staff=staff_of(community, username="shuijingfang-manager"))


@pytest.fixture
def side_b(db: None) -> Side:
    community = CommunityFactory(name="交子社区", code="jiaozi")
    return Side(community=community, staff=staff_of(community, username="jiaozi-manager"))


@pytest.fixture
def national(db: None) -> User:
    return UserFactory(national=True, is_superuser=True, username="national")


def build_tree(community: Community, prefix: str = "") -> dict[str, CompassionFamily]:
    """The families of TREE in `community`, by name (each name prefixed with `prefix`)."""
    families: dict[str, CompassionFamily] = {}
    for day, (name, recruiter, leader) in enumerate(TREE):
        families[name] = CompassionFamilyFactory(
            community=community,
            household__name=prefix + name,
            recruited_by=families[recruiter] if recruiter else None,
            opinion_leader=leader,
            joined_on=date(2024, 3, 1) + timedelta(days=day),
        )
    return families


def recruiters_in_db() -> dict[int, int | None]:
    return dict(CompassionFamily.objects.values_list("pk", "recruited_by_id"))
