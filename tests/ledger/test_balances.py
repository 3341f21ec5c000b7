from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.ledger.conftest import Book, donate
from yicang.ledger.models import Account, Unit
from yicang.ledger.selectors import balance_at, statement, totals_by_unit
from yicang.ledger.services import Entry, post_transaction
from yicang.ledger.units import format_amount

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _on(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def history(book: Book) -> Book:
    donate(book, 10_000, posted_at=_on(9, 20))
    donate(book, 2_500, posted_at=_on(10, 3))
    post_transaction(
        community=book.community,
        entries=[Entry(book.cash, -4_000), Entry(book.fund, 4_000)],
        reason="为独居老人买米面油",
        by=None,
        posted_at=_on(10, 18),
    )
    donate(book, 700, posted_at=_on(11, 2))
    return book


def test_balance_at_a_moment_counts_only_earlier_legs(history: Book) -> None:
    assert balance_at(history.cash, _on(10, 1)) == 10_000
    assert balance_at(history.cash, _on(11, 1)) == 8_500
    assert balance_at(history.fund, _on(11, 1)) == -8_500
    assert balance_at(history.cash, _on(12, 1)) == Account.objects.get(pk=history.cash.pk).balance == 9_200


def test_a_months_statement(history: Book) -> None:
    october = statement(history.cash, _on(10, 1).replace(hour=0), _on(11, 1).replace(hour=0))

    assert (october.opening, october.debits, october.credits, october.closing) == (10_000, 2_500, -4_000, 8_500)


def test_every_unit_of_the_book_sums_to_zero(history: Book) -> None:
    post_transaction(
        community=history.community,
        entries=[Entry(history.time_a, 90), Entry(history.pool, -90)],
        reason="探访",
        by=None,
    )

    assert totals_by_unit() == {"CNY": 0, "MIN": 0}


def test_check_ledger_passes_a_sound_book_and_names_a_drifted_balance(history: Book) -> None:
    out = StringIO()
    call_command("check_ledger", stdout=out)
    assert "The book is sound" in out.getvalue()

    Account.objects.filter(pk=history.cash.pk).update(balance=1)

    with pytest.raises(CommandError, match=rf"account #{history.cash.pk} 现金: kept balance 1, legs sum to 9200"):
        call_command("check_ledger")


@pytest.mark.parametrize(
    ("amount", "unit", "shown"),
    [
        (123456, Unit.CNY, "¥1,234.56"),
        (-5, Unit.CNY, "-¥0.05"),
        (125, Unit.MINUTES, "2 h 05 min"),
        (-30, Unit.MINUTES, "-0 h 30 min"),
    ],
)
def test_amounts_read_as_money_and_hours(amount: int, unit: str, shown: str) -> None:
    assert format_amount(amount, unit) == shown
    with translation.override("zh-hans"):
        assert format_amount(125, Unit.MINUTES) == "2 小时 05 分钟"
