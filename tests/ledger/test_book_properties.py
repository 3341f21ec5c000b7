"""Whatever valid postings and reversals happen, the book stays sound."""

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ledger.conftest import Book
from yicang.core.exceptions import DomainError
from yicang.ledger.models import Account, Leg, Transaction
from yicang.ledger.services import Entry, post_transaction, reverse_transaction

ACCOUNTS = {"CNY": ["cash", "fund"], "MIN": ["pool", "time_a", "time_b"]}

# A posting: a unit, then (account index, amount) pairs; the last leg balances the others.
postings = st.builds(
    lambda unit, legs: ("post", unit, legs),
    st.sampled_from(sorted(ACCOUNTS)),
    st.lists(st.tuples(st.integers(0, 2), st.integers(-5_000, 5_000).filter(bool)), min_size=1, max_size=4),
)
reversals = st.builds(lambda n: ("reverse", n), st.integers(0, 30))


def _entries(book: Book, unit: str, legs: list[tuple[int, int]]) -> list[Entry]:
    names = ACCOUNTS[unit]
    entries = [Entry(getattr(book, names[i % len(names)]), amount) for i, amount in legs]
    rest = -sum(amount for _, amount in legs)
    if rest:
        entries.append(Entry(getattr(book, names[-1] if unit == "MIN" else names[1]), rest))
    return entries


def _apply(book: Book, operation: tuple[object, ...]) -> None:
    before = Leg.objects.count()
    try:
        if operation[0] == "post":
            _, unit, legs = operation
            post_transaction(community=book.community, entries=_entries(book, unit, legs), reason="随机", by=None)  # type: ignore[arg-type]
        else:
            done = list(Transaction.objects.order_by("pk"))
            if done:
                reverse_transaction(original=done[operation[1] % len(done)], by=None, reason="冲正")  # type: ignore[operator]
    except DomainError:
        assert Leg.objects.count() == before  # a refused operation writes nothing


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(st.one_of(postings, reversals), max_size=25))
def test_every_unit_sums_to_zero_and_every_balance_equals_its_legs(
    book: Book, operations: list[tuple[object, ...]]
) -> None:
    with transaction.atomic():
        for operation in operations:
            _apply(book, operation)

        for unit in ACCOUNTS:
            assert (Leg.objects.filter(account__unit=unit).aggregate(t=Sum("amount"))["t"] or 0) == 0
        for account in Account.objects.all():
            assert account.balance == (account.legs.aggregate(t=Sum("amount"))["t"] or 0)
            assert account.permits(account.balance)
        transaction.set_rollback(True)  # each example starts from the same empty book
