import re

import pytest
from django.utils import timezone, translation

from tests.factories import AccountFactory
from tests.ledger.conftest import Book, donate
from yicang.ledger.exceptions import InsufficientBalance, InvalidPosting
from yicang.ledger.models import Account, Leg, Transaction
from yicang.ledger.services import Entry, post_transaction

pytestmark = pytest.mark.django_db


def _balances(*accounts: Account) -> list[int]:
    return [Account.objects.get(pk=a.pk).balance for a in accounts]


def test_a_balanced_posting_writes_its_legs_and_keeps_the_balances(book: Book) -> None:
    txn = donate(book, 5_000)

    assert isinstance(txn, Transaction)
    assert (txn.community, txn.recorded_by, txn.reason) == (book.community, book.clerk, "义集收入")
    assert sorted(Leg.objects.filter(transaction=txn).values_list("amount", "account__name")) == [
        (-5_000, "义仓基金"),
        (5_000, "现金"),
    ]
    assert _balances(book.cash, book.fund) == [5_000, -5_000]
    assert Account.objects.get(pk=book.fund.pk).shown_balance == 5_000


def test_time_credited_to_a_household_comes_from_the_community_pool(book: Book) -> None:
    post_transaction(
        community=book.community,
        entries=[Entry(book.time_a, 120), Entry(book.pool, -120)],
        reason="送物资上门 2 小时",
        by=book.clerk,
    )
    post_transaction(
        community=book.community,
        entries=[Entry(book.time_a, -45), Entry(book.time_b, 45)],
        reason="理发服务",
        by=book.clerk,
    )

    assert _balances(book.time_a, book.time_b, book.pool) == [75, 45, -120]


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (lambda b: [Entry(b.cash, 100), Entry(b.fund, -90)], "The legs in CNY add up to ¥0.10, not zero"),
        (lambda b: [Entry(b.cash, 100)], "A transaction needs at least two legs."),
        (lambda b: [Entry(b.cash, 0), Entry(b.fund, 0)], "A leg of zero means nothing"),
        (lambda b: [Entry(b.cash, 1.5), Entry(b.fund, -1.5)], "Amounts are whole numbers of fen or minutes."),
        (
            lambda b: [Entry(b.cash, 100), Entry(b.fund, -100), Entry(b.time_a, 30), Entry(b.pool, -20)],
            "The legs in MIN add up to 0 h 10 min, not zero",
        ),
    ],
)
def test_an_invalid_posting_is_refused_and_writes_nothing(book: Book, entries: object, message: str) -> None:
    with pytest.raises(InvalidPosting, match=re.escape(message)) as error:
        post_transaction(community=book.community, entries=entries(book), reason="错账", by=book.clerk)  # type: ignore[operator]

    assert error.value.status == 400
    assert not Transaction.objects.exists()
    assert not Leg.objects.exists()
    assert _balances(book.cash, book.fund, book.time_a, book.pool) == [0, 0, 0, 0]


def test_an_account_of_another_community_cannot_take_part(book: Book) -> None:
    elsewhere = AccountFactory(kind=Account.Kind.YICANG_FUND, name="别处基金")

    with pytest.raises(InvalidPosting, match=r"别处基金 belongs to another community\."):
        post_transaction(
            community=book.community, entries=[Entry(book.cash, 100), Entry(elsewhere, -100)], reason="x", by=None
        )
    assert not Transaction.objects.exists()


def test_a_blank_reason_is_refused(book: Book) -> None:
    with pytest.raises(InvalidPosting, match="Give a reason"):
        post_transaction(
            community=book.community, entries=[Entry(book.cash, 1), Entry(book.fund, -1)], reason=" ", by=None
        )


def test_cash_can_never_go_below_zero(book: Book) -> None:
    donate(book, 1_000)

    with pytest.raises(InsufficientBalance, match=r"现金 holds ¥10.00; this would leave -¥5.00") as error:
        post_transaction(
            community=book.community,
            entries=[Entry(book.cash, -1_500), Entry(book.fund, 1_500)],
            reason="买米",
            by=None,
        )

    assert error.value.status == 409
    assert Transaction.objects.count() == 1
    assert _balances(book.cash, book.fund) == [1_000, -1_000]


def test_a_time_account_goes_below_zero_only_when_allowed(book: Book) -> None:
    spend = [Entry(book.time_a, -30), Entry(book.time_b, 30)]
    with pytest.raises(InsufficientBalance):
        post_transaction(community=book.community, entries=spend, reason="陪诊", by=None)

    Account.objects.filter(pk=book.time_a.pk).update(allow_negative=True)
    book.time_a.refresh_from_db()
    post_transaction(
        community=book.community, entries=[Entry(book.time_a, -30), Entry(book.time_b, 30)], reason="陪诊", by=None
    )

    assert _balances(book.time_a, book.time_b) == [-30, 30]


def test_a_fund_cannot_be_overdrawn(book: Book) -> None:
    donate(book, 2_000)
    grant = AccountFactory(community=book.community, kind=Account.Kind.GRANT, name="小额资助")

    with pytest.raises(InsufficientBalance, match=re.escape("义仓基金 holds ¥20.00; this would leave -¥10.00")):
        post_transaction(
            community=book.community, entries=[Entry(book.fund, 3_000), Entry(grant, -3_000)], reason="资助", by=None
        )


def test_legs_remember_when_they_were_posted(book: Book) -> None:
    when = timezone.now() - timezone.timedelta(days=40)

    txn = donate(book, 100, posted_at=when)

    assert set(Leg.objects.filter(transaction=txn).values_list("posted_at", flat=True)) == {when}


def test_ledger_rows_refuse_to_be_changed_or_deleted_through_the_orm(book: Book) -> None:
    txn = donate(book, 100)
    assert isinstance(txn, Transaction)

    txn.reason = "改过的"
    with pytest.raises(TypeError, match="append-only"):
        txn.save()
    with pytest.raises(TypeError, match="append-only"):
        txn.delete()
    with pytest.raises(TypeError, match="append-only"):
        Leg.objects.filter(transaction=txn).update(amount=1)
    with pytest.raises(TypeError, match="append-only"):
        Transaction.objects.all().delete()
    assert Transaction.objects.get(pk=txn.pk).reason == "义集收入"


def test_messages_reach_staff_in_chinese(book: Book) -> None:
    with translation.override("zh-hans"), pytest.raises(InvalidPosting) as error:
        post_transaction(
            community=book.community, entries=[Entry(book.cash, 100), Entry(book.fund, -90)], reason="错", by=None
        )

    assert str(error.value.message) == "以 CNY 计的分录合计为 ¥0.10，而不是零：有贷必有借。"


def test_a_transaction_links_to_what_caused_it(book: Book) -> None:
    cause = book.time_a.household
    assert cause is not None

    txn = post_transaction(
        community=book.community,
        entries=[Entry(book.time_a, 60), Entry(book.pool, -60)],
        reason="入户探访",
        by=book.clerk,
        cause=cause,
    )

    assert Transaction.objects.get(pk=txn.pk).cause == cause
