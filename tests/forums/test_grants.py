"""Small grants: paid from the community fund through the ledger, never beyond its balance, reversible."""

import pytest
from django.urls import reverse

from forums.exceptions import GrantAlreadyPaid, GrantExceedsFund, NotAllowed
from forums.models import Grant
from forums.services.grants import grant_account_of, pay_grant, reverse_grant
from tests.clients import api, signed_in
from tests.factories.forums import IssueFactory
from tests.forums.conftest import Place, english
from yicang.ledger.models import Leg, Transaction

pytestmark = pytest.mark.django_db


def test_a_grant_moves_money_from_the_community_fund_to_the_actions_account(place: Place) -> None:
    issue = IssueFactory(community=place.community, common=True)

    grant = pay_grant(action=issue.action, amount_fen=80_000, purpose=" 买感应灯 ", by=place.manager)

    place.fund.refresh_from_db()
    account = grant_account_of(issue.action)
    assert (grant.amount_fen, grant.purpose, grant.paid_by) == (80_000, "买感应灯", place.manager)
    assert (place.fund.shown_balance, account.shown_balance) == (20_000, 80_000)
    assert sorted(Leg.objects.filter(transaction=grant.payment).values_list("account_id", "amount")) == sorted(
        [(place.fund.pk, 80_000), (account.pk, -80_000)]
    )
    assert grant.payment.cause == issue.action


def test_a_grant_beyond_the_funds_balance_is_refused_with_400_and_nothing_is_written(place: Place) -> None:
    issue = IssueFactory(community=place.community, common=True)
    before = Transaction.objects.count()

    with pytest.raises(GrantExceedsFund) as refused:
        pay_grant(action=issue.action, amount_fen=100_001, purpose="修路", by=place.manager)

    assert str(refused.value.message) == "A grant of ¥1,000.01 is more than the community fund holds (¥1,000.00)."
    assert refused.value.status == 400
    assert (Grant.objects.count(), Transaction.objects.count()) == (0, before)


def test_the_api_refuses_a_grant_beyond_the_fund_with_400(place: Place) -> None:
    issue = IssueFactory(community=place.community, common=True)

    response = api(place.manager).post(
        f"/api/v1/forum-issues/{issue.pk}/grant/", {"amount_fen": 200_000, "purpose": "修路"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "A grant of ¥2,000.00 is more than the community fund holds (¥1,000.00).",
        "code": "grant_exceeds_fund",
    }
    assert Grant.objects.count() == 0


def test_the_api_pays_a_grant(place: Place) -> None:
    issue = IssueFactory(community=place.community, common=True)

    response = api(place.manager).post(
        f"/api/v1/forum-issues/{issue.pk}/grant/", {"amount_fen": 30_000, "purpose": "买种子"}
    )

    assert response.status_code == 201
    assert response.json()["granted_fen"] == 30_000


def test_the_staff_page_shows_a_grant_beyond_the_fund_as_a_form_error(place: Place) -> None:
    issue = IssueFactory(community=place.community, common=True)
    client = english(signed_in(place.manager))

    response = client.post(
        reverse("forums:staff-issue", args=[issue.pk]), {"do": "grant", "amount": "1500.00", "purpose": "修路"}
    )

    assert response.status_code == 400
    assert "A grant of ¥1,500.00 is more than the community fund holds (¥1,000.00)." in response.content.decode()
    assert Grant.objects.count() == 0


def test_the_admin_shows_a_grant_beyond_the_fund_as_a_form_error(place: Place) -> None:
    issue = IssueFactory(community=place.community, common=True)
    client = english(signed_in(place.manager))

    response = client.post(
        reverse("admin:forums_grant_add"), {"action": issue.action.pk, "amount_fen": 100_500, "purpose": "修路"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "amount_fen": ["A grant of ¥1,005.00 is more than the community fund holds (¥1,000.00)."]
    }
    assert Grant.objects.count() == 0


def test_one_standing_grant_per_action_and_another_after_a_reversal(place: Place) -> None:
    issue = IssueFactory(community=place.community, common=True)
    first = pay_grant(action=issue.action, amount_fen=50_000, purpose="买灯", by=place.manager)
    with pytest.raises(GrantAlreadyPaid):
        pay_grant(action=issue.action, amount_fen=10_000, purpose="再买", by=place.manager)

    reversal = reverse_grant(grant=first, reason="买错了", by=place.manager)
    second = pay_grant(action=issue.action, amount_fen=70_000, purpose="买对的灯", by=place.manager)

    place.fund.refresh_from_db()
    assert reversal.reverses == first.payment
    assert place.fund.shown_balance == 30_000
    assert grant_account_of(issue.action).shown_balance == 70_000
    assert second.payment.idempotency_key == f"forum-grant-{issue.action.pk}-2"


def test_a_grant_reversed_in_the_ledgers_admin_no_longer_counts_on_public_pages(place: Place) -> None:
    from yicang.ledger.services import reverse_transaction

    issue = IssueFactory(community=place.community, common=True)
    grant = pay_grant(action=issue.action, amount_fen=50_000, purpose="买灯", by=place.manager)
    reverse_transaction(original=grant.payment, by=place.manager, reason="冲正")

    response = english(signed_in(place.manager)).get(reverse("forums:results"))

    assert response.context["granted_total"] == 0
    assert response.context["grants"] == []


def test_centre_staff_who_are_not_managers_do_not_pay_grants(place: Place) -> None:
    issue = IssueFactory(community=place.community, common=True)

    with pytest.raises(NotAllowed):
        pay_grant(action=issue.action, amount_fen=1_000, purpose="买灯", by=place.staff)
    response = api(place.staff).post(f"/api/v1/forum-issues/{issue.pk}/grant/", {"amount_fen": 1_000, "purpose": "x"})

    assert response.status_code == 403
    assert Grant.objects.count() == 0
