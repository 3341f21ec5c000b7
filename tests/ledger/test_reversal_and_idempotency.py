import pytest
from django.db import connection

from tests.concurrency import race
from tests.ledger.conftest import Book, donate, make_book
from yicang.ledger.exceptions import AlreadyReversed, IdempotencyConflict, InsufficientBalance
from yicang.ledger.models import Account, Leg, Transaction
from yicang.ledger.services import Entry, post_transaction, reverse_transaction


@pytest.mark.django_db
def test_a_reversal_mirrors_the_original_and_links_to_it(book: Book) -> None:
    original = donate(book, 3_000)
    assert isinstance(original, Transaction)

    reversal = reverse_transaction(original=original, by=book.clerk, reason="记错金额")

    assert reversal.reverses == original
    assert reversal.reason == "记错金额"
    assert sorted(Leg.objects.filter(transaction=reversal).values_list("amount", flat=True)) == [-3_000, 3_000]
    assert [Account.objects.get(pk=a.pk).balance for a in (book.cash, book.fund)] == [0, 0]
    assert Transaction.objects.count() == 2


@pytest.mark.django_db
def test_a_transaction_is_reversed_once_and_a_reversal_not_at_all(book: Book) -> None:
    original = donate(book, 3_000)
    assert isinstance(original, Transaction)
    reversal = reverse_transaction(original=original, by=None, reason="记错")

    with pytest.raises(AlreadyReversed, match=rf"#{original.pk} has already been reversed") as error:
        reverse_transaction(original=original, by=None, reason="再冲一次")
    with pytest.raises(AlreadyReversed, match="is itself a reversal"):
        reverse_transaction(original=reversal, by=None, reason="冲回冲账")

    assert error.value.status == 409
    assert Transaction.objects.count() == 2


@pytest.mark.django_db
def test_money_already_spent_cannot_be_reversed_away(book: Book) -> None:
    gift = donate(book, 1_000)
    assert isinstance(gift, Transaction)
    post_transaction(
        community=book.community, entries=[Entry(book.cash, -800), Entry(book.fund, 800)], reason="买米", by=None
    )

    with pytest.raises(InsufficientBalance):
        reverse_transaction(original=gift, by=None, reason="退款")
    assert Transaction.objects.count() == 2


@pytest.mark.django_db
def test_the_same_idempotency_key_gives_the_same_transaction(book: Book) -> None:
    first = donate(book, 500, idempotency_key="market-2026-11-22-stall-7")
    second = donate(book, 500, idempotency_key="market-2026-11-22-stall-7")

    assert first == second
    assert Transaction.objects.count() == 1
    assert Account.objects.get(pk=book.cash.pk).balance == 500


@pytest.mark.django_db
def test_an_idempotency_key_reused_for_other_legs_is_a_conflict(book: Book) -> None:
    first = donate(book, 500, idempotency_key="k-1")
    assert isinstance(first, Transaction)

    with pytest.raises(IdempotencyConflict, match=rf"The key k-1 was used for a different transaction \(#{first.pk}\)"):
        donate(book, 600, idempotency_key="k-1")
    assert Account.objects.get(pk=book.cash.pk).balance == 500


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres")
def test_concurrent_postings_with_one_key_make_one_transaction() -> None:
    book = make_book()

    results = race([lambda: donate(book, 700, idempotency_key="concurrent-key")] * 4)

    assert Transaction.objects.count() == 1
    assert {r.pk for r in results} == {Transaction.objects.get().pk}  # type: ignore[attr-defined]
    assert Account.objects.get(pk=book.cash.pk).balance == 700


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres")
def test_concurrent_withdrawals_never_overdraw_cash() -> None:
    book = make_book()
    donate(book, 1_000)

    def withdraw() -> object:
        return post_transaction(
            community=book.community, entries=[Entry(book.cash, -600), Entry(book.fund, 600)], reason="买油", by=None
        )

    results = race([withdraw] * 3)

    assert sorted(type(r).__name__ for r in results) == ["InsufficientBalance", "InsufficientBalance", "Transaction"]
    assert Account.objects.get(pk=book.cash.pk).balance == 400
    assert connection.vendor == "postgresql"
