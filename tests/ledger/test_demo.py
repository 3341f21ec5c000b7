from io import StringIO

import pytest
from django.core.management import call_command

from markets.models import Sale
from yicang.ledger.models import Account, Transaction

pytestmark = pytest.mark.django_db


def test_the_demo_book_is_sound_and_seeded_once() -> None:
    call_command("seed_demo", "--households", "5", stdout=StringIO())
    counts = (Account.objects.count(), Transaction.objects.count())
    call_command("seed_demo", "--households", "5", stdout=StringIO())
    out = StringIO()
    call_command("check_ledger", stdout=out)

    # With the markets demo's accounts (a lattice fund and a shop's grant account per community) and postings.
    assert counts == (Account.objects.count(), Transaction.objects.count()) == (22, 38)
    assert "The book is sound" in out.getvalue()
    fund = Account.objects.get(community__code="shuijingfang", kind=Account.Kind.YICANG_FUND)
    # The markets demo's sales at a charitable market go to the same fund.
    sold = sum(Sale.objects.filter(community=fund.community).values_list("price_fen", flat=True))
    assert fund.shown_balance == 128_650 - 86_000 + 96_420 + sold
    assert sold == 23_000
