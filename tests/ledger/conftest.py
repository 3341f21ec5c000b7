from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.utils import translation

from tests.factories import AccountFactory, CommunityFactory, UserFactory
from yicang.community.models import Community, User
from yicang.ledger.models import Account
from yicang.ledger.services import Entry, post_transaction


@dataclass
class Book:
    community: Community
    clerk: User
    cash: Account
    fund: Account
    pool: Account
    time_a: Account
    time_b: Account


def make_book(code: str = "shuijingfang") -> Book:
    community = CommunityFactory(code=code)
    return Book(
        community=community,
        clerk=UserFactory(),
        cash=AccountFactory(community=community, kind=Account.Kind.CASH, name="现金"),
        fund=AccountFactory(community=community, kind=Account.Kind.YICANG_FUND, name="义仓基金"),
        pool=AccountFactory(community=community, kind=Account.Kind.TIME_POOL, name="时间池"),
        time_a=AccountFactory(community=community, kind=Account.Kind.TIME, name="王家时间"),
        time_b=AccountFactory(community=community, kind=Account.Kind.TIME, name="李家时间"),
    )


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English here; test_messages_reach_staff_in_chinese checks the other side."""
    with translation.override("en"):
        yield


@pytest.fixture
def book(db: None) -> Book:
    return make_book()


def donate(book: Book, fen: int, **kwargs: object) -> object:
    """Money in: cash up, the Yicang fund up (a credit)."""
    return post_transaction(
        community=book.community,
        entries=[Entry(book.cash, fen), Entry(book.fund, -fen)],
        reason="义集收入",
        by=book.clerk,
        **kwargs,  # type: ignore[arg-type]
    )
