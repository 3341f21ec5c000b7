import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.clients import signed_in
from tests.concurrency import race
from tests.factories import AccountFactory, UserFactory
from tests.factories.programme import CapacityGrantFactory
from tests.factories.volunteers import CentreFactory, GroupFactory
from tests.programme.conftest import Place
from volunteers.programme.exceptions import FundTooSmall, GrantAlreadyPaid, NotAllowed, NotTheCommunityFund
from volunteers.programme.models import CapacityGrant
from volunteers.programme.services import pay_capacity_grant
from yicang.community.models import Community
from yicang.ledger.models import Account, Leg, Transaction
from yicang.ledger.services import Entry, post_transaction, reverse_transaction

pytestmark = pytest.mark.django_db


def _fund(community: Community, fen: int) -> Account:
    """The community fund, holding `fen` given in cash."""
    fund = AccountFactory(community=community, kind=Account.Kind.COMMUNITY_FUND, name="社区基金")
    cash = AccountFactory(community=community, kind=Account.Kind.CASH, name="现金")
    post_transaction(
        community=community, entries=[Entry(cash, fen), Entry(fund, -fen)], reason="爱心企业捐款", by=UserFactory()
    )
    return fund


def _nothing_paid(grant: CapacityGrant, fund: Account, balance: int) -> None:
    grant.refresh_from_db()
    fund.refresh_from_db()
    assert (grant.status, grant.payment) == ("approved", None)
    assert fund.balance == balance
    assert Transaction.objects.count() == 1  # the gift that filled the fund
    assert not Account.objects.filter(kind=Account.Kind.GRANT).exists()


def test_paying_a_grant_moves_money_from_the_fund_to_the_grants_account(here: Place) -> None:
    fund = _fund(here.community, 500_000)
    grant = CapacityGrantFactory(community=here.community, purpose="急救培训器材", amount_fen=120_000)

    paid = pay_capacity_grant(grant=grant, from_account=fund, by=here.manager)

    payment = Transaction.objects.get(pk=paid.payment_id)
    account = Account.objects.get(kind=Account.Kind.GRANT)
    fund.refresh_from_db()
    assert paid.status == "paid"
    assert list(Leg.objects.filter(transaction=payment).values_list("account", "amount")) == [
        (fund.pk, 120_000),
        (account.pk, -120_000),
    ]
    assert (fund.balance, fund.shown_balance) == (-380_000, 380_000)
    assert (account.balance, account.shown_balance) == (-120_000, 120_000)
    assert (account.owner, account.community) == (grant, here.community)
    assert (payment.cause, payment.recorded_by, payment.reason) == (grant, here.manager, "Capacity grant: 急救培训器材")
    assert payment.idempotency_key == f"capacity-grant-{grant.pk}"


def test_a_grant_is_paid_once(here: Place) -> None:
    fund = _fund(here.community, 500_000)
    grant = CapacityGrantFactory(community=here.community, amount_fen=120_000)
    first = pay_capacity_grant(grant=grant, from_account=fund, by=here.manager).payment

    with pytest.raises(
        GrantAlreadyPaid, match=rf"^This grant was already paid \(transaction #{first.pk}\)\.$"
    ) as error:
        pay_capacity_grant(grant=grant, from_account=fund, by=here.manager)

    fund.refresh_from_db()
    assert error.value.status == 409
    assert Transaction.objects.count() == 2
    assert fund.balance == -380_000


def test_an_underfunded_fund_pays_nothing(here: Place) -> None:
    fund = _fund(here.community, 50_000)
    grant = CapacityGrantFactory(community=here.community, amount_fen=120_000)

    with pytest.raises(FundTooSmall) as error:
        pay_capacity_grant(grant=grant, from_account=fund, by=here.manager)

    assert error.value.status == 409
    assert error.value.message == (
        "The grant of ¥1,200.00 was not paid: "
        "社区基金 holds ¥500.00; this would leave -¥700.00, which its policy forbids."
    )
    _nothing_paid(grant, fund, balance=-50_000)


def test_only_the_grants_own_community_fund_pays(here: Place, there: Place) -> None:
    fund = _fund(here.community, 500_000)
    yicang_fund = AccountFactory(community=here.community, kind=Account.Kind.YICANG_FUND)
    theirs = AccountFactory(community=there.community, kind=Account.Kind.COMMUNITY_FUND)
    grant = CapacityGrantFactory(community=here.community)

    for wrong in (yicang_fund, theirs):
        with pytest.raises(
            NotTheCommunityFund, match=r"^Capacity grants are paid from the community fund of 水井坊社区\.$"
        ):
            pay_capacity_grant(grant=grant, from_account=wrong, by=here.manager)

    _nothing_paid(grant, fund, balance=-500_000)


def test_only_a_manager_of_the_grants_community_pays(here: Place, there: Place) -> None:
    fund = _fund(here.community, 500_000)
    grant = CapacityGrantFactory(community=here.community)

    for outsider in (here.staff, there.manager, UserFactory()):
        with pytest.raises(NotAllowed) as error:
            pay_capacity_grant(grant=grant, from_account=fund, by=outsider)
        assert error.value.status == 403

    _nothing_paid(grant, fund, balance=-500_000)


def test_a_grant_goes_to_one_group_or_one_centre_and_is_more_than_nothing(here: Place) -> None:
    group, centre = GroupFactory(community=here.community), CentreFactory(community=here.community)

    for fields in ({"group": group, "centre": centre}, {"group": None}, {"group": group, "amount_fen": 0}):
        with pytest.raises(IntegrityError), transaction.atomic():
            CapacityGrantFactory(community=here.community, **fields)
    to_centre = CapacityGrantFactory(community=here.community, to_centre=True)

    assert (to_centre.group, to_centre.recipient) == (None, to_centre.centre)
    assert list(CapacityGrant.objects.all()) == [to_centre]


def test_a_grant_cannot_be_marked_paid_without_its_payment(here: Place) -> None:
    grant = CapacityGrantFactory(community=here.community)

    with pytest.raises(IntegrityError), transaction.atomic():
        CapacityGrant.objects.filter(pk=grant.pk).update(status="paid")


def test_the_pay_action_pays_from_the_grants_community_fund(here: Place) -> None:
    fund = _fund(here.community, 500_000)
    grant = CapacityGrantFactory(community=here.community, group__name="夜跑队", purpose="急救包", amount_fen=30_000)

    response = signed_in(here.manager).post(
        reverse("admin:volunteer_programme_capacitygrant_changelist"),
        {"action": "pay_selected", "_selected_action": [grant.pk]},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    fund.refresh_from_db()
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["夜跑队 · 急救包: paid."]
    assert CapacityGrant.objects.get().status == "paid"
    assert fund.balance == -470_000


def test_the_pay_action_reports_what_it_could_not_pay(here: Place) -> None:
    fund = _fund(here.community, 50_000)
    grant = CapacityGrantFactory(community=here.community, group__name="夜跑队", purpose="急救包", amount_fen=120_000)

    response = signed_in(here.manager).post(
        reverse("admin:volunteer_programme_capacitygrant_changelist"),
        {"action": "pay_selected", "_selected_action": [grant.pk]},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)] == [
        (
            "error",
            "夜跑队 · 急救包: The grant of ¥1,200.00 was not paid: "
            "社区基金 holds ¥500.00; this would leave -¥700.00, which its policy forbids.",
        )
    ]
    _nothing_paid(grant, fund, balance=-50_000)


def test_the_pay_action_says_when_there_is_no_community_fund(here: Place) -> None:
    grant = CapacityGrantFactory(community=here.community, group__name="夜跑队", purpose="急救包")

    response = signed_in(here.manager).post(
        reverse("admin:volunteer_programme_capacitygrant_changelist"),
        {"action": "pay_selected", "_selected_action": [grant.pk]},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)] == [
        ("error", "夜跑队 · 急救包: 水井坊社区 has no community fund to pay from.")
    ]
    assert CapacityGrant.objects.get().status == "approved"
    assert not Transaction.objects.exists()


def test_centre_staff_are_not_offered_the_pay_action(here: Place) -> None:
    CapacityGrantFactory(community=here.community)

    offered = signed_in(here.manager).get(reverse("admin:volunteer_programme_capacitygrant_changelist"))
    not_offered = signed_in(here.staff).get(reverse("admin:volunteer_programme_capacitygrant_changelist"))

    assert "pay_selected" in dict(offered.context["action_form"].fields["action"].choices)
    assert not_offered.status_code == 200
    assert not_offered.context["action_form"] is None  # staff have no action on grants at all


def test_a_paid_grant_is_read_only_in_the_admin(here: Place) -> None:
    grant = CapacityGrantFactory(community=here.community, amount_fen=30_000)
    pay_capacity_grant(grant=grant, from_account=_fund(here.community, 500_000), by=here.manager)
    url = reverse("admin:volunteer_programme_capacitygrant_change", args=[grant.pk])

    response = signed_in(here.manager).post(
        url,
        {
            "community": here.community.pk,
            "group": grant.group_id,
            "purpose": "改了",
            "amount_fen": "1",
            "granted_on": "2026-10-01",
        },
    )

    assert response.status_code == 403
    grant.refresh_from_db()
    assert (grant.purpose, grant.amount_fen) == ("购买急救培训器材", 30_000)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres")
def test_two_managers_paying_at_once_pay_once() -> None:
    from tests.programme.conftest import make_place

    here = make_place("水井坊社区", "shuijingfang")
    fund = _fund(here.community, 500_000)
    grant = CapacityGrantFactory(community=here.community, amount_fen=120_000)
    outcomes = race([lambda: pay_capacity_grant(grant=grant, from_account=fund, by=here.manager)] * 2)

    fund.refresh_from_db()
    assert sorted(type(o).__name__ for o in outcomes) == ["CapacityGrant", "GrantAlreadyPaid"]
    assert fund.balance == -380_000
    assert Transaction.objects.filter(idempotency_key=f"capacity-grant-{grant.pk}").count() == 1


def test_a_paid_grant_page_shows_its_payment(here: Place) -> None:
    grant = CapacityGrantFactory(community=here.community, amount_fen=30_000)
    paid = pay_capacity_grant(grant=grant, from_account=_fund(here.community, 500_000), by=here.manager)

    response = signed_in(here.manager).get(reverse("admin:volunteer_programme_capacitygrant_change", args=[grant.pk]))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert f"#{paid.payment_id} Capacity grant: 购买急救培训器材" in response.content.decode()


def test_a_grant_whose_payment_was_reversed_in_the_ledger_says_so_in_the_admin(here: Place) -> None:
    fund = _fund(here.community, 500_000)
    reversed_grant = CapacityGrantFactory(community=here.community, purpose="急救包", amount_fen=30_000)
    kept_grant = CapacityGrantFactory(community=here.community, purpose="培训教材", amount_fen=20_000)
    pay_capacity_grant(grant=reversed_grant, from_account=fund, by=here.manager)
    pay_capacity_grant(grant=kept_grant, from_account=fund, by=here.manager)
    reversed_grant.refresh_from_db()
    assert reversed_grant.payment is not None
    reversal = reverse_transaction(original=reversed_grant.payment, by=here.manager, reason="金额有误")
    admin = signed_in(here.manager)

    listed = admin.get(reverse("admin:volunteer_programme_capacitygrant_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    opened = admin.get(
        reverse("admin:volunteer_programme_capacitygrant_change", args=[reversed_grant.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    page = listed.content.decode()
    assert f"paid, then reversed in the ledger (#{reversal.pk})" in page
    assert page.count("reversed in the ledger") == 1  # the other grant still reads "paid"
    assert f"paid, then reversed in the ledger (#{reversal.pk})" in opened.content.decode()
