from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tests.factories import AccountFactory, CommunityFactory, HouseholdFactory, ResidentFactory, UserFactory, staff_of
from yicang.community.models import Community, Resident, StaffMembership, User
from yicang.ledger.models import Account
from yicang.ledger.services import Entry, post_transaction


@dataclass
class Place:
    community: Community
    manager: User
    staff: User
    resident: Resident
    fund: Account


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English: the forums' strings are not translated yet."""
    with translation.override("en"):
        yield


def english(client: Client) -> Client:
    """The client's pages in English: the language middleware ignores the test's own override."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def make_place(name: str, code: str, *, fund_fen: int = 100_000) -> Place:
    """A community with a manager, a centre staff member, a resident with a portal account and e-mail,
    and a community fund holding `fund_fen` (given in cash)."""
    community = CommunityFactory(name=name, code=code)
    manager = staff_of(community, username=f"{code}-manager", is_staff=True)
    staff = staff_of(community, StaffMembership.Role.STAFF, username=f"{code}-staff", is_staff=True)
    household = HouseholdFactory(community=community, name=f"{name}王家")
    user = UserFactory(username=f"{code}-resident", email=f"{code}@example.org")
    resident = ResidentFactory(household=household, name=f"{name}王秀英", user=user)
    fund = AccountFactory(community=community, kind=Account.Kind.COMMUNITY_FUND, name=f"{name}社区基金")
    if fund_fen:
        cash = AccountFactory(community=community, kind=Account.Kind.CASH, name=f"{name}现金")
        post_transaction(
            community=community, entries=[Entry(cash, fund_fen), Entry(fund, -fund_fen)], reason="捐款", by=manager
        )
        fund.refresh_from_db()
    return Place(community=community, manager=manager, staff=staff, resident=resident, fund=fund)


@pytest.fixture
def place(db: None) -> Place:
    return make_place("水井坊社区", "shuijingfang")


@pytest.fixture
def other(db: None) -> Place:
    return make_place("交子社区", "jiaozi")
