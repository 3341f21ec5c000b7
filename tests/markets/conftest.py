from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation

from stores.models import Item
from stores.services.items import IntakeLine, receive_donation
from tests.clients import signed_in
from tests.factories import CommunityFactory, UserFactory, staff_of
from tests.factories.stores import CategoryFactory, WarehouseFactory
from yicang.community.models import Community, StaffMembership, User
from yicang.ledger.models import Account
from yicang.ledger.services import Entry, post_transaction


@dataclass
class Place:
    """A community with its centre manager and a member of its centre staff."""

    community: Community
    manager: User
    staff: User


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English."""
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


def in_stock_item(community: Community) -> Item:
    """One item received at the community's store, in stock."""
    line = IntakeLine(
        category=CategoryFactory(), count=1, quantity=Decimal("1"), expires_on=timezone.localdate() + timedelta(days=90)
    )
    donation = receive_donation(warehouse=WarehouseFactory(community=community), lines=[line], by=UserFactory())
    return donation.items.get()


def fund_community(community: Community, fen: int) -> Account:
    """Put money in the community fund (cash in hand as its other leg), as the centre would."""
    cash, _ = Account.objects.get_or_create(community=community, kind=Account.Kind.CASH, defaults={"name": "现金"})
    fund, _ = Account.objects.get_or_create(
        community=community, kind=Account.Kind.COMMUNITY_FUND, defaults={"name": "社区基金"}
    )
    post_transaction(community=community, entries=[Entry(cash, fen), Entry(fund, -fen)], reason="捐款", by=None)
    fund.refresh_from_db()
    return fund


def browser(user: User | None = None) -> Client:
    """A browser asking for English pages, signed in as `user` when given."""
    client = signed_in(user) if user is not None else Client()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
