"""The community fund's projects for idle assets, and their spending from the fund."""

import pytest
from django.urls import reverse

from markets.exceptions import BadAmount, FundTooSmall, ProjectFinished
from markets.models import ProjectSpending, RevivalProject
from markets.services.projects import spend_on_project
from tests.factories.markets import RevivalProjectFactory, new_key
from tests.markets.conftest import Place, browser, fund_community
from yicang.ledger.models import Leg, Transaction

pytestmark = pytest.mark.django_db


def test_spending_is_paid_from_the_community_fund(here: Place) -> None:
    fund = fund_community(here.community, 500_000)
    project = RevivalProjectFactory(community=here.community)

    spending, created = spend_on_project(
        project=project, amount_fen=80_000, what="书架两个", by=here.manager, idempotency_key=new_key()
    )

    assert created
    legs = sorted(Leg.objects.filter(transaction=spending.transaction).values_list("account__kind", "amount"))
    assert legs == [("cash", -80_000), ("community_fund", 80_000)]
    fund.refresh_from_db()
    assert fund.shown_balance == 420_000


@pytest.mark.parametrize(("fen", "error"), [(500_001, FundTooSmall), (-1, BadAmount)])
def test_spending_beyond_the_fund_or_below_zero_is_refused_and_nothing_is_written(
    here: Place, fen: int, error: type[Exception]
) -> None:
    fund_community(here.community, 500_000)
    project = RevivalProjectFactory(community=here.community)

    with pytest.raises(error):
        spend_on_project(project=project, amount_fen=fen, what="装修", by=here.manager, idempotency_key=new_key())

    assert not ProjectSpending.objects.exists()
    assert Transaction.objects.count() == 1


def test_a_finished_project_spends_no_more(here: Place) -> None:
    fund_community(here.community, 500_000)
    project = RevivalProjectFactory(community=here.community, status=RevivalProject.Status.DONE)

    with pytest.raises(ProjectFinished):
        spend_on_project(project=project, amount_fen=100, what="油漆", by=here.manager, idempotency_key=new_key())

    assert not ProjectSpending.objects.exists()


def test_the_project_page_records_spending_once_when_sent_twice(here: Place) -> None:
    fund_community(here.community, 500_000)
    project = RevivalProjectFactory(community=here.community)
    client = browser(here.manager)
    form = {"what": "油漆", "amount": "120.50", "idempotency_key": new_key()}

    responses = [client.post(reverse("markets:project", args=[project.pk]), form) for _ in range(2)]

    assert [r.status_code for r in responses] == [302, 302]
    assert list(ProjectSpending.objects.values_list("what", "amount_fen")) == [("油漆", 12_050)]
    assert Transaction.objects.count() == 2


def test_the_project_page_shows_an_overdraft_as_an_error(here: Place) -> None:
    fund_community(here.community, 1_000)
    project = RevivalProjectFactory(community=here.community)

    response = browser(here.manager).post(
        reverse("markets:project", args=[project.pk]), {"what": "油漆", "amount": "20", "idempotency_key": new_key()}
    )

    assert response.status_code == 409
    assert "¥20.00 was not spent:" in response.content.decode()
    assert not ProjectSpending.objects.exists()


def test_the_community_page_lists_markets_funds_and_projects_with_a_pinned_query_count(
    here: Place, django_assert_max_num_queries: object
) -> None:
    RevivalProjectFactory.create_batch(3, community=here.community)
    client = browser(here.staff)

    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert client.get(reverse("markets:community", args=[here.community.code])).status_code == 200


def test_the_project_page_has_a_pinned_query_count(here: Place, django_assert_max_num_queries: object) -> None:
    fund_community(here.community, 100_000)
    project = RevivalProjectFactory(community=here.community)
    for index in range(6):
        spend_on_project(
            project=project, amount_fen=100, what=f"油漆{index}", by=here.manager, idempotency_key=new_key()
        )
    client = browser(here.manager)

    with django_assert_max_num_queries(8):  # type: ignore[operator]
        assert client.get(reverse("markets:project", args=[project.pk])).status_code == 200


def test_the_staff_page_counts_a_spending_reversed_in_the_ledger_no_more(here: Place) -> None:
    from yicang.ledger.services import reverse_transaction

    fund_community(here.community, 100_000)
    project = RevivalProjectFactory(community=here.community)
    _kept, undone = (
        spend_on_project(project=project, amount_fen=amount, what=what, by=here.manager, idempotency_key=new_key())[0]
        for amount, what in [(3_000, "油漆"), (5_000, "录错")]
    )
    reverse_transaction(original=undone.transaction, by=here.manager, reason="录错了")

    response = browser(here.manager).get(reverse("markets:project", args=[project.pk]))

    assert response.context["spent"] == 3_000
    assert [s.what for s in response.context["spendings"]] == ["录错", "油漆"]
