"""What staff write for the fund pages (sales, funds, shares' public names) carries no one's contact data."""

import pytest
from django.urls import reverse

from markets.exceptions import MarketsError
from markets.models import LatticeFund, Sale, Subscription
from markets.services.lattices import subscribe
from tests.clients import api
from tests.factories.markets import LatticeFundFactory, StallFactory, new_key
from tests.markets.conftest import Place, browser
from yicang.ledger.models import Transaction

pytestmark = pytest.mark.django_db

REFUSED = "Leave out phone numbers, e-mail addresses, ID numbers and chat handles: this is shown in public."


@pytest.mark.parametrize("what", ["旧书，联系王阿姨 138 1234 5678", "童装 wang@example.org", "<b>旧书</b>"])
def test_a_sale_described_with_contact_data_or_markup_is_400_and_writes_nothing(here: Place, what: str) -> None:
    stall = StallFactory(market__community=here.community)
    client = api(here.staff)

    response = client.post(
        "/api/v1/market-sales/",
        {"market": stall.market.pk, "stall": stall.pk, "what": what, "price_fen": 500, "idempotency_key": new_key()},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith(REFUSED) or detail.startswith("Write plain text")
    assert not Sale.objects.exists()
    assert not Transaction.objects.exists()


def test_the_market_page_shows_the_refusal_and_keeps_what_was_typed(here: Place) -> None:
    stall = StallFactory(market__community=here.community)

    response = browser(here.staff).post(
        reverse("markets:market", args=[stall.market.pk]),
        {"stall": stall.pk, "what": "旧书 微信 wangayi88", "price": "5", "idempotency_key": new_key()},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert REFUSED in page
    assert "wangayi88" in page  # the form comes back filled in, to be corrected
    assert not Sale.objects.exists()


def test_a_shareholder_named_with_a_phone_number_is_refused(here: Place) -> None:
    fund = LatticeFundFactory(community=here.community)

    with pytest.raises(MarketsError, match=REFUSED):
        subscribe(
            fund=fund,
            amount_fen=100_000,
            person_name="王阿姨",
            public_consent=True,
            public_name="王阿姨13812345678",
            by=here.staff,
            idempotency_key=new_key(),
        )

    assert not Subscription.objects.exists()


def test_the_admin_refuses_a_fund_whose_purpose_gives_an_id_number(here: Place) -> None:
    response = browser(here.manager).post(
        reverse("admin:markets_latticefund_add"),
        {"community": here.community.pk, "name": "义坊基金", "purpose": "负责人身份证510104199001011234"},
    )

    assert response.status_code == 200  # the form again, with the error
    assert REFUSED in response.content.decode()
    assert not LatticeFund.objects.exists()
