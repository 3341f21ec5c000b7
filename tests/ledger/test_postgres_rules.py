"""PostgreSQL itself keeps the book's rules against raw SQL, whatever the application does."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from tests.ledger.conftest import donate, make_book
from yicang.ledger.models import Account, Leg, Transaction

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres")]


def _raw_transaction(community_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_transaction (community_id, posted_at, reason, created_at)"
            " VALUES (%s, now(), 'raw', now()) RETURNING id",
            [community_id],
        )
        return int(cursor.fetchone()[0])


def _raw_leg(transaction_id: int, account: Account, amount: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_leg (transaction_id, account_id, amount, posted_at) VALUES (%s, %s, %s, now())",
            [transaction_id, account.pk, amount],
        )


def _commit_raw(community_id: int, legs: list[tuple[Account, int]]) -> int:
    with transaction.atomic():
        txn = _raw_transaction(community_id)
        for account, amount in legs:
            _raw_leg(txn, account, amount)
    return txn


def test_an_unbalanced_transaction_is_rejected_at_commit() -> None:
    book = make_book()

    with pytest.raises(IntegrityError, match=r"unbalanced: its CNY legs sum to 50"):
        _commit_raw(book.community.pk, [(book.cash, 100), (book.fund, -50)])

    assert not Transaction.objects.exists()
    assert not Leg.objects.exists()


def test_a_balanced_raw_transaction_commits() -> None:
    book = make_book()

    txn = _commit_raw(book.community.pk, [(book.cash, 100), (book.fund, -100)])

    assert Leg.objects.filter(transaction_id=txn).count() == 2


def test_a_transaction_without_legs_is_rejected_at_commit() -> None:
    book = make_book()

    with pytest.raises(IntegrityError, match="fewer than two legs"):
        _commit_raw(book.community.pk, [])

    assert not Transaction.objects.exists()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_leg SET amount = amount * 2",
        "DELETE FROM ledger_leg",
        "UPDATE ledger_transaction SET reason = 'changed'",
        "DELETE FROM ledger_transaction",
    ],
)
def test_ledger_rows_cannot_be_updated_or_deleted(sql: str) -> None:
    book = make_book()
    donate(book, 100)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)

    assert sorted(Leg.objects.values_list("amount", flat=True)) == [-100, 100]
    assert Transaction.objects.get().reason == "义集收入"
