from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from donors.models import CompassionFamily
from recipients.services import record_became_volunteer, register_recipient
from stores.models import EventKind
from stores.services.items import IntakeLine, receive_donation, record_event
from tests.clients import signed_in
from tests.factories import CommunityFactory, HouseholdFactory, ResidentFactory, UserFactory, staff_of
from tests.factories.stores import CategoryFactory, DeliveryFactory, WarehouseFactory
from yicang.community.models import Household
from yicang.ledger.models import Account
from yicang.ledger.services import Entry, post_transaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def household() -> Household:
    household = HouseholdFactory(name="李秀英家")
    community = household.community
    manager = staff_of(community)
    ResidentFactory(household=household, name="李秀英", user=UserFactory(username="lxy"))
    family = register_recipient(household=household, categories=["disabled"], by=manager)
    record_became_volunteer(family=family)
    time = Account.objects.create(community=community, kind=Account.Kind.TIME, name="李家时间", household=household)
    pool = Account.objects.create(community=community, kind=Account.Kind.TIME_POOL, name="时间池")
    cash = Account.objects.create(community=community, kind=Account.Kind.CASH, name="现金")
    fund = Account.objects.create(community=community, kind=Account.Kind.YICANG_FUND, name="义仓基金")
    post_transaction(community=community, entries=[Entry(time, 120), Entry(pool, -120)], reason="送物资", by=manager)
    post_transaction(community=community, entries=[Entry(time, -30), Entry(pool, 30)], reason="理发", by=manager)
    post_transaction(
        community=community, entries=[Entry(cash, 5000), Entry(fund, -5000)], reason="义卖", by=manager, cause=household
    )
    post_transaction(
        community=community, entries=[Entry(fund, 2000), Entry(cash, -2000)], reason="买药", by=manager, cause=household
    )
    return household


def test_a_resident_sees_their_own_household_given_and_received(household: Household) -> None:
    client = Client()
    client.login(username="lxy", password="a-test-password-42")

    response = client.get(reverse("reports:my-household"))

    overview = response.context["overview"]
    assert overview.household == household
    assert (overview.time_given, overview.time_received, overview.time_balance) == (120, 30, 90)
    assert (overview.money_given, overview.money_received) == (5000, 2000)
    assert [m.reason for m in overview.movements] == ["买药", "义卖", "理发", "送物资"]
    assert overview.recipient.volunteer_since is not None


def test_my_household_page_has_no_way_to_another_household(household: Household) -> None:
    other = HouseholdFactory(community=household.community, name="张家")
    ResidentFactory(household=other, user=UserFactory(username="zhang"))
    client = Client()
    client.login(username="zhang", password="a-test-password-42")

    page = client.get(reverse("reports:my-household")).content.decode()
    staff_page = client.get(reverse("reports:staff-household", args=[household.pk]))

    assert "李秀英" not in page
    assert staff_page.status_code == 302  # not staff: sent to sign in, nothing shown


def test_an_account_without_a_household_is_told_so() -> None:
    client = signed_in(UserFactory())

    response = client.get(reverse("reports:my-household"))

    assert response.status_code == 200
    assert response.context["overview"] is None


def test_my_household_needs_a_sign_in() -> None:
    response = Client().get(reverse("reports:my-household"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_see_households_of_their_community_only(household: Household) -> None:
    mine = signed_in(staff_of(household.community)).get(reverse("reports:staff-household", args=[household.pk]))
    theirs = signed_in(staff_of(CommunityFactory())).get(reverse("reports:staff-household", args=[household.pk]))

    assert mine.status_code == 200
    assert theirs.status_code == 404


def test_household_pages_have_pinned_query_counts(household: Household, django_assert_num_queries: object) -> None:
    client = signed_in(staff_of(household.community))
    url = reverse("reports:staff-household", args=[household.pk])
    with django_assert_num_queries(14):  # type: ignore[operator]
        client.get(url)
    time = Account.objects.get(household=household)
    pool = Account.objects.get(kind=Account.Kind.TIME_POOL)
    for _ in range(10):
        post_transaction(
            community=household.community, entries=[Entry(time, 10), Entry(pool, -10)], reason="探访", by=None
        )
    with django_assert_num_queries(14):  # type: ignore[operator]
        assert client.get(url).status_code == 200


def test_the_household_page_shows_goods_given_with_their_trace_and_goods_delivered(household: Household) -> None:
    community = household.community
    clerk = staff_of(community)
    giver = CompassionFamily.objects.create(community=community, household=household)
    store = WarehouseFactory(community=community)
    rice = CategoryFactory(name="大米", unit="kg", perishable=False)
    oil = CategoryFactory(name="食用油", unit="瓶", perishable=False)
    given = receive_donation(
        warehouse=store, lines=[IntakeLine(category=oil, count=2, quantity=Decimal("5"))], by=clerk, family=giver
    )
    other = receive_donation(
        warehouse=store, lines=[IntakeLine(category=rice, count=3, quantity=Decimal("10"))], by=clerk
    )
    delivery = DeliveryFactory(plan__community=community, plan__warehouse=store, family=household.recipient_family)
    for item in other.items.order_by("pk")[:2]:
        record_event(item=item, kind=EventKind.DISPATCHED, by=clerk, delivery=delivery)
        record_event(item=item, kind=EventKind.DELIVERED, by=clerk)

    response = signed_in(clerk).get(reverse("reports:staff-household", args=[household.pk]))

    overview = response.context["overview"]
    assert [(g.category, g.unit, g.items, g.quantity) for g in overview.goods_received] == [
        ("大米", "kg", 2, Decimal("20.00"))
    ]
    assert overview.items_given == 2
    codes = sorted(item.code for item in given.items.all())
    assert sorted(item.code for item in overview.recent_items_given) == codes
    assert f'href="/t/{codes[0]}"' in response.content.decode()
