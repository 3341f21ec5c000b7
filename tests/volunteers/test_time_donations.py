import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.clients import signed_in
from tests.concurrency import race
from tests.factories import CommunityFactory, ResidentFactory, UserFactory, staff_of
from volunteers.exceptions import AlreadyDecided, NotACentreLead, VolunteerError
from volunteers.models import Centre, Group, Organisation, TimeDonation, Volunteer
from volunteers.selectors import confirmed_hours, hours_by
from volunteers.services import (
    confirm_time_donation,
    join_group,
    record_time_donation,
    register_volunteer,
    reject_time_donation,
)
from yicang.community.models import StaffMembership, User
from yicang.ledger.models import Account, Transaction

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


@pytest.fixture
def lead() -> User:
    return UserFactory(username="centre-lead")


@pytest.fixture
def volunteer(lead: User) -> Volunteer:
    resident = ResidentFactory(name="王秀英")
    Centre.objects.create(community=resident.community, name="水井坊邻里互助中心", lead_user=lead)
    return register_volunteer(resident=resident, skills="理发")


def _donate(volunteer: Volunteer, minutes: int = 90, **kwargs: object) -> TimeDonation:
    return record_time_donation(
        volunteer=volunteer, minutes=minutes, kind="delivery", description="送米面油", by=UserFactory(), **kwargs
    )


def _time_balance(volunteer: Volunteer) -> int:
    return Account.objects.get(household=volunteer.resident.household, kind=Account.Kind.TIME).balance


def test_confirmed_hours_are_credited_to_the_household_once(volunteer: Volunteer, lead: User) -> None:
    donation = _donate(volunteer)

    confirmed = confirm_time_donation(donation=donation, by=lead)

    assert confirmed.status == "confirmed"
    assert confirmed.decided_by == lead
    assert _time_balance(volunteer) == 90
    pool = Account.objects.get(community=volunteer.community, kind=Account.Kind.TIME_POOL)
    assert (pool.balance, pool.shown_balance) == (-90, 90)
    assert Transaction.objects.get().cause == confirmed
    with pytest.raises(AlreadyDecided, match="already confirmed and credited"):
        confirm_time_donation(donation=donation, by=lead)
    assert Transaction.objects.count() == 1


def test_only_a_centre_lead_or_a_manager_confirms(volunteer: Volunteer) -> None:
    donation = _donate(volunteer)
    plain_staff = staff_of(volunteer.community, role=StaffMembership.Role.STAFF)
    other_manager = staff_of(CommunityFactory())

    for outsider in (UserFactory(), plain_staff, other_manager):
        with pytest.raises(NotACentreLead):
            confirm_time_donation(donation=donation, by=outsider)
    confirm_time_donation(donation=donation, by=staff_of(volunteer.community))

    assert not Account.objects.filter(kind=Account.Kind.TIME, balance=0).exists()


@pytest.mark.parametrize("minutes", [0, -30, 1.5])
def test_negative_or_odd_hours_are_refused(volunteer: Volunteer, minutes: object) -> None:
    with pytest.raises(VolunteerError, match="positive number of minutes"):
        _donate(volunteer, minutes=minutes)  # type: ignore[arg-type]
    assert not TimeDonation.objects.exists()


def test_time_given_tomorrow_or_beyond_a_day_is_refused(volunteer: Volunteer) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        _donate(volunteer, given_on=timezone.localdate() + timezone.timedelta(days=1))
    with pytest.raises(ValidationError):
        _donate(volunteer, minutes=25 * 60)
    assert not TimeDonation.objects.exists()


def test_rejected_hours_are_never_credited(volunteer: Volunteer, lead: User) -> None:
    donation = _donate(volunteer)

    with pytest.raises(VolunteerError, match="Say why"):
        reject_time_donation(donation=donation, by=lead, reason=" ")
    rejected = reject_time_donation(donation=donation, by=lead, reason="当天未到岗")

    assert (rejected.status, rejected.rejection_reason) == ("rejected", "当天未到岗")
    assert not Transaction.objects.exists()
    with pytest.raises(AlreadyDecided):
        confirm_time_donation(donation=donation, by=lead)


def test_hours_per_month_group_and_centre(volunteer: Volunteer, lead: User) -> None:
    community = volunteer.community
    runners = Group.objects.create(community=community, name="夜跑队", kind="interest")
    readers = Group.objects.create(community=community, name="亲子阅读", kind="volunteer")
    centre = Centre.objects.get()
    october, november = timezone.datetime(2026, 10, 12).date(), timezone.datetime(2026, 11, 3).date()
    for minutes, day, group in [(60, october, runners), (30, october, readers), (45, november, runners)]:
        confirm_time_donation(donation=_donate(volunteer, minutes, given_on=day, group=group, centre=centre), by=lead)
    _donate(volunteer, 500, given_on=november, group=runners)  # still pending: not counted

    months = list(confirmed_hours(community, start=october.replace(day=1), end=november.replace(day=30)))
    groups = list(hours_by(community, "group", start=october.replace(day=1), end=november.replace(day=30)))

    assert [(row["month"].month, row["minutes"], row["donations"]) for row in months] == [(10, 90, 2), (11, 45, 1)]
    assert [(row["group__name"], row["minutes"]) for row in groups] == [("夜跑队", 105), ("亲子阅读", 30)]
    assert _time_balance(volunteer) == 135


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres")
def test_two_leads_confirming_at_once_credit_once() -> None:
    resident = ResidentFactory()
    lead = UserFactory()
    Centre.objects.create(community=resident.community, name="中心", lead_user=lead)
    donation = _donate(register_volunteer(resident=resident))
    outcomes = race([lambda: confirm_time_donation(donation=donation, by=lead)] * 2)

    assert sorted(type(o).__name__ for o in outcomes) == ["AlreadyDecided", "TimeDonation"]
    assert Transaction.objects.count() == 1


def test_a_volunteer_is_registered_once_and_joins_groups_of_their_community(volunteer: Volunteer) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(VolunteerError, match="already a volunteer"):
        register_volunteer(resident=volunteer.resident)
    mine = Group.objects.create(community=volunteer.community, name="夜跑队", kind="interest")
    theirs = Group.objects.create(community=CommunityFactory(), name="别处", kind="interest")

    first = join_group(group=mine, resident=volunteer.resident)
    again = join_group(group=mine, resident=volunteer.resident)
    with pytest.raises(ValidationError, match="lives in another community"):
        join_group(group=theirs, resident=volunteer.resident)

    assert first == again
    assert list(volunteer.resident.group_memberships.values_list("group__name", flat=True)) == ["夜跑队"]


def test_organisations_form_a_hierarchy_without_cycles() -> None:
    from django.core.exceptions import ValidationError

    community = CommunityFactory()
    union = Organisation.objects.create(community=community, name="社区联合会", level=3)
    association = Organisation.objects.create(community=community, name="居民协会", level=2, parent=union)
    club = Organisation(community=community, name="夜跑俱乐部", level=1, parent=association)
    club.full_clean()
    club.save()

    union.parent = association
    with pytest.raises(ValidationError, match="higher level"):
        union.full_clean()
    association.parent = club
    with pytest.raises(ValidationError, match="higher level"):
        association.full_clean()
    elsewhere = Organisation.objects.create(community=CommunityFactory(), name="别处联合会", level=3)
    club.parent = elsewhere
    with pytest.raises(ValidationError, match="belongs to another community"):
        club.full_clean()


def test_admin_confirms_and_rejects_with_a_reason(volunteer: Volunteer) -> None:
    first, second = _donate(volunteer), _donate(volunteer, 30)
    manager = staff_of(volunteer.community)
    client = signed_in(manager)
    url = reverse("admin:volunteers_timedonation_changelist")

    client.post(url, {"action": "confirm_selected", "_selected_action": [first.pk]})
    asked = client.post(url, {"action": "reject_selected", "_selected_action": [second.pk]})
    client.post(url, {"action": "reject_selected", "_selected_action": [second.pk], "apply": "1", "reason": "重复"})

    assert asked.status_code == 200
    assert dict(TimeDonation.objects.values_list("pk", "status")) == {first.pk: "confirmed", second.pk: "rejected"}
    assert _time_balance(volunteer) == 90


def test_time_donation_changelist_is_scoped_with_a_pinned_query_count(
    volunteer: Volunteer, django_assert_num_queries: object
) -> None:
    for _ in range(8):
        _donate(volunteer)
    _donate(register_volunteer(resident=ResidentFactory()))  # another community
    client = signed_in(staff_of(volunteer.community))

    with django_assert_num_queries(9):  # type: ignore[operator]
        response = client.get(reverse("admin:volunteers_timedonation_changelist"))

    assert {d.community for d in response.context["cl"].result_list} == {volunteer.community}
    assert len(response.context["cl"].result_list) == 8
