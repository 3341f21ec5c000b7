from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import LazySettings, settings
from django.test import Client
from django.utils import timezone, translation

from tests.factories import CommunityFactory, UserFactory, staff_of
from tests.factories.market import OfferFactory, VerifiedResidentFactory
from tests.factories.volunteers import VolunteerFactory
from volunteers.market.models import Offer
from volunteers.models import Volunteer
from yicang.community.models import Community, Household, Resident, User
from yicang.ledger.models import Account


@dataclass
class Market:
    community: Community
    manager: User
    volunteer: Volunteer
    resident: Resident
    offer: Offer


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English: the market's strings are not translated yet."""
    with translation.override("en"):
        yield


def english(client: Client) -> Client:
    """The client's pages in English: the language middleware ignores the test's own override."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def media(settings: LazySettings, tmp_path: Path) -> Path:
    """Uploads go to a folder of the test's own, so what is deleted can be seen to be gone."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def market(db: None) -> Market:
    """A community with a manager, a volunteer with an offer of three places, and a verified resident."""
    return make_market("水井坊社区", "shuijingfang", household="王家", resident="王秀英", username="wxy")


@pytest.fixture
def other(db: None) -> Market:
    """A second community, to show that the first one's staff and residents do not reach it."""
    return make_market("交子社区", "jiaozi", household="赵家", resident="赵大妈", username="zdm")


def make_market(name: str, code: str, *, household: str, resident: str, username: str) -> Market:
    community = CommunityFactory(name=name, code=code)
    volunteer = VolunteerFactory(community=community, resident__household__name="李家", resident__name="李志愿")
    return Market(
        community=community,
        manager=staff_of(community, username=f"{code}-manager"),
        volunteer=volunteer,
        resident=VerifiedResidentFactory(
            household__community=community,
            household__name=household,
            name=resident,
            user=UserFactory(username=username),
        ),
        offer=OfferFactory(volunteer=volunteer, title="义剪"),
    )


def took_place(offer: Offer) -> Offer:
    """Move an offer into the past, as if the day of the service had come and gone."""
    now = timezone.now()
    Offer.objects.filter(pk=offer.pk).update(starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1))
    offer.refresh_from_db()
    return offer


def time_balance(household: Household | None) -> int | None:
    """The household's time account balance; None when it has no account."""
    account = Account.objects.filter(household=household, kind=Account.Kind.TIME).first()
    return account.balance if account is not None else None


def pool_balance(community: Community) -> int | None:
    account = Account.objects.filter(community=community, kind=Account.Kind.TIME_POOL).first()
    return account.balance if account is not None else None
