"""A small programme to count: two communities in 成都市, one in 绵阳市, with something of everything."""

from dataclasses import dataclass

from stores.services.counts import refresh_monthly_counts
from stores.services.delivery import confirm_delivery
from tests.factories import AccountFactory, CommunityFactory, HouseholdFactory, ResidentFactory, UserFactory
from tests.factories.donors import CompassionFamilyFactory
from tests.factories.recipients import RecipientFamilyFactory
from tests.factories.stores import FAMILY_CODE, DeliveryPlanFactory, out_for_delivery, stocked
from tests.factories.volunteers import GroupFactory, TimeDonationFactory, VolunteerFactory
from volunteers.models import Volunteer
from yicang.community.models import Community
from yicang.core.months import add_months, this_month
from yicang.ledger.models import Account
from yicang.ledger.services import Entry, post_transaction, reverse_transaction


@dataclass
class World:
    first: Community  # 成都市
    second: Community  # 成都市
    third: Community  # 绵阳市


def build_world() -> World:
    """The world, with the store's monthly counts of this month made as the worker makes them."""
    today = this_month()
    first = CommunityFactory(city="成都市", name="水井坊社区", code="shuijingfang")
    second = CommunityFactory(city="成都市", name="交子社区", code="jiaozi")
    third = CommunityFactory(city="绵阳市", district="涪城区", name="城厢社区", code="chengxiang")

    given, received, volunteering = HouseholdFactory.create_batch(3, community=first)
    CompassionFamilyFactory(community=first, household=given)
    family = RecipientFamilyFactory(household=received, community=first, applied_on=today, volunteer_since=today)
    volunteer = VolunteerFactory(community=first, resident=ResidentFactory(household=volunteering, community=first))
    VolunteerFactory(
        community=first,
        resident=ResidentFactory(household=volunteering, community=first),
        status=Volunteer.Status.LEFT,
    )
    GroupFactory.create_batch(2, community=first)
    plan = DeliveryPlanFactory(community=first)
    delivery, _items = out_for_delivery(2, plan=plan, family=family)
    confirm_delivery(delivery=delivery, by=UserFactory(), code=FAMILY_CODE)
    stocked(plan.warehouse, 3)
    TimeDonationFactory(volunteer=volunteer, minutes=90, confirmed=True)
    TimeDonationFactory(volunteer=volunteer, minutes=45, confirmed=True, given_on=add_months(today, -1))
    TimeDonationFactory(volunteer=volunteer, minutes=60)  # pending: not counted
    cash = AccountFactory(community=first, kind=Account.Kind.CASH)
    fund = AccountFactory(community=first, kind=Account.Kind.YICANG_FUND)
    post_transaction(community=first, entries=[Entry(cash, 5000), Entry(fund, -5000)], reason="义集", by=None)
    post_transaction(community=first, entries=[Entry(fund, 1200), Entry(cash, -1200)], reason="购买", by=None)
    mistake = post_transaction(community=first, entries=[Entry(cash, 999), Entry(fund, -999)], reason="错", by=None)
    reverse_transaction(original=mistake, by=None, reason="更正")

    HouseholdFactory.create_batch(2, community=second)
    TimeDonationFactory(volunteer=VolunteerFactory(community=second), minutes=30, confirmed=True)
    HouseholdFactory(community=third)
    refresh_monthly_counts(today)
    return World(first, second, third)


FIRST = {
    "communities": 1,
    "households": 3,
    "donors": 1,
    "volunteers": 1,
    "groups": 2,
    "recipients_volunteering": 1,
    "became_volunteers": 1,
    "donations": 2,
    "items_in": 5,
    "items_delivered": 2,
    "items_sold": 0,
    "items_written_off": 0,
    "deliveries": 1,
    "families_served": 1,
    "minutes_given": 90,
    "money_raised": 5000,
    "money_spent": 1200,
}
SECOND = dict.fromkeys(FIRST, 0) | {"communities": 1, "households": 3, "volunteers": 1, "minutes_given": 30}
THIRD = dict.fromkeys(FIRST, 0) | {"communities": 1, "households": 1}
CHENGDU = {name: FIRST[name] + SECOND[name] for name in FIRST}
NATION = {name: CHENGDU[name] + THIRD[name] for name in FIRST}
