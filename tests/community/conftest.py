from dataclasses import dataclass

import pytest

from tests.factories import CommunityFactory, HouseholdFactory, ResidentFactory, UserFactory, staff_of
from yicang.community.models import Community, Household, Resident, User


@dataclass
class Side:
    community: Community
    household: Household
    resident: Resident
    staff: User


@pytest.fixture
def side_a(db: None) -> Side:
    return _side("水井坊社区", "shuijingfang")


@pytest.fixture
def side_b(db: None) -> Side:
    return _side("交子社区", "jiaozi")


def _side(name: str, code: str) -> Side:
    community = CommunityFactory(name=name, code=code)
    household = HouseholdFactory(community=community, name=f"{name}王家")
    return Side(
        community=community,
        household=household,
        resident=ResidentFactory(household=household, name=f"{name}王秀英"),
        staff=staff_of(community, username=f"{code}-manager"),
    )


@pytest.fixture
def national(db: None) -> User:
    return UserFactory(national=True, is_superuser=True, username="national")
