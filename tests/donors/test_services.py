from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from donors.exceptions import InvalidCompassionFamily
from donors.models import CompassionFamily
from donors.services import register_compassion_family, save_compassion_family, set_recruiter
from tests.concurrency import race
from tests.donors.conftest import Side, build_tree, recruiters_in_db
from tests.factories import CommunityFactory, HouseholdFactory
from tests.factories.donors import CompassionFamilyFactory

pytestmark = pytest.mark.django_db


def test_a_household_is_registered_as_a_compassion_family_of_its_community(side_a: Side) -> None:
    household = HouseholdFactory(community=side_a.community, name="王家")
    leader = CompassionFamilyFactory(community=side_a.community, opinion_leader=True)

    family = register_compassion_family(household=household, recruited_by=leader, by=side_a.staff)

    family = CompassionFamily.objects.get(pk=family.pk)
    assert (family.community, family.household, family.recruited_by, family.opinion_leader) == (
        side_a.community,
        household,
        leader,
        False,
    )
    assert (family.joined_on, family.registered_by) == (timezone.localdate(), side_a.staff)
    assert (family.public_name_consent, family.public_name, family.consent_recorded_at) == (False, "", None)


def test_consent_to_a_public_name_is_dated(side_a: Side) -> None:
    household = HouseholdFactory(community=side_a.community, name="王建国家")
    before = timezone.now()

    family = register_compassion_family(
        household=household,
        opinion_leader=True,
        joined_on=date(2024, 5, 1),
        public_name=" 王家 ",
        public_name_consent=True,
        by=side_a.staff,
    )

    family = CompassionFamily.objects.get(pk=family.pk)
    assert (family.opinion_leader, family.joined_on, family.public_name) == (True, date(2024, 5, 1), "王家")
    assert family.consent_recorded_at is not None
    assert before <= family.consent_recorded_at <= timezone.now()


def test_a_recruiter_from_another_community_is_refused_and_nothing_is_written(side_a: Side, side_b: Side) -> None:
    household = HouseholdFactory(community=side_a.community, name="王家")
    theirs = CompassionFamilyFactory(community=side_b.community, household__name="交子李家", opinion_leader=True)

    with pytest.raises(InvalidCompassionFamily) as raised:
        register_compassion_family(household=household, recruited_by=theirs, by=side_a.staff)

    assert raised.value.message == (
        "The recruiting family, 交子李家, belongs to another community: "
        "a family can only be recruited within its own community."
    )
    assert list(raised.value.fields) == ["recruited_by"]
    assert list(CompassionFamily.objects.all()) == [theirs]


def test_setting_a_recruiter_from_another_community_is_refused_and_nothing_is_written(
    side_a: Side, side_b: Side
) -> None:
    mine = build_tree(side_a.community)
    theirs = CompassionFamilyFactory(community=side_b.community, household__name="交子李家")
    before = recruiters_in_db()

    with pytest.raises(InvalidCompassionFamily, match="belongs to another community"):
        set_recruiter(family=mine["赵家"], recruiter=theirs)

    assert recruiters_in_db() == before


def test_a_loop_in_the_recruitment_tree_is_refused_naming_the_families_and_nothing_is_written(side_a: Side) -> None:
    a = CompassionFamilyFactory(community=side_a.community, household__name="王家", opinion_leader=True)
    b = CompassionFamilyFactory(recruited_by=a, household__name="李家")
    c = CompassionFamilyFactory(recruited_by=b, household__name="陈家")
    before = recruiters_in_db()

    with pytest.raises(InvalidCompassionFamily) as raised:
        set_recruiter(family=a, recruiter=c)

    assert raised.value.message == (
        "陈家 cannot recruit 王家: the recruitment chain already runs 王家 → 李家 → 陈家, so the tree would loop."
    )
    assert recruiters_in_db() == before
    assert a.recruited_by is None  # the caller's object is left as it was too


def test_a_family_cannot_be_its_own_recruiter(side_a: Side) -> None:
    family = CompassionFamilyFactory(community=side_a.community)

    with pytest.raises(InvalidCompassionFamily) as raised:
        set_recruiter(family=family, recruiter=family)

    assert raised.value.message == "A family cannot recruit itself."
    assert CompassionFamily.objects.get(pk=family.pk).recruited_by is None


def test_a_recruiter_is_moved_within_the_tree_and_cleared(side_a: Side) -> None:
    tree = build_tree(side_a.community)

    moved = set_recruiter(family=tree["李家"], recruiter=tree["赵家"])
    cleared = set_recruiter(family=tree["黄家"], recruiter=None)

    assert (moved.recruited_by, cleared.recruited_by) == (tree["赵家"], None)
    assert CompassionFamily.objects.get(pk=tree["李家"].pk).recruited_by == tree["赵家"]
    assert CompassionFamily.objects.get(pk=tree["黄家"].pk).recruited_by is None


def test_a_household_is_registered_once(side_a: Side) -> None:
    family = CompassionFamilyFactory(community=side_a.community)

    with pytest.raises(InvalidCompassionFamily, match="already exists"):
        register_compassion_family(household=family.household, by=side_a.staff)

    assert CompassionFamily.objects.count() == 1


def test_consent_without_a_public_name_is_refused(side_a: Side) -> None:
    household = HouseholdFactory(community=side_a.community)

    with pytest.raises(InvalidCompassionFamily) as raised:
        register_compassion_family(household=household, public_name_consent=True, by=side_a.staff)

    assert raised.value.message == "Give the name to show publicly, or leave the consent unticked."
    assert not CompassionFamily.objects.exists()


def test_withdrawing_consent_is_dated_anew(side_a: Side) -> None:
    family = CompassionFamilyFactory(community=side_a.community, consenting=True)
    given_at = family.consent_recorded_at
    assert given_at is not None

    family.public_name_consent = False
    save_compassion_family(family=family, by=side_a.staff)

    family = CompassionFamily.objects.get(pk=family.pk)
    assert family.public_name_consent is False
    assert family.consent_recorded_at is not None
    assert family.consent_recorded_at > given_at


def test_the_household_must_belong_to_the_familys_community(side_a: Side, side_b: Side) -> None:
    family = CompassionFamily(community=side_a.community, household=HouseholdFactory(community=side_b.community))

    with pytest.raises(ValidationError) as raised:
        family.full_clean()

    assert raised.value.message_dict == {"household": ["The household belongs to another community."]}


def test_the_database_refuses_a_family_recruiting_itself(side_a: Side, postgres: None) -> None:
    family = CompassionFamilyFactory(community=side_a.community)

    with pytest.raises(IntegrityError, match="compassionfamily_not_own_recruiter"), transaction.atomic():
        CompassionFamily.objects.filter(pk=family.pk).update(recruited_by=family.pk)


def test_the_database_refuses_consent_without_a_public_name(side_a: Side, postgres: None) -> None:
    family = CompassionFamilyFactory(community=side_a.community)

    with pytest.raises(IntegrityError, match="compassionfamily_consent_has_public_name"), transaction.atomic():
        CompassionFamily.objects.filter(pk=family.pk).update(
            public_name_consent=True, consent_recorded_at=timezone.now()
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres")
def test_two_staff_recruiting_each_others_families_at_once_cannot_close_a_loop() -> None:
    community = CommunityFactory()
    a = CompassionFamilyFactory(community=community, household__name="王家")
    b = CompassionFamilyFactory(community=community, household__name="李家")

    results = race([lambda: set_recruiter(family=a, recruiter=b), lambda: set_recruiter(family=b, recruiter=a)])

    assert sorted(type(r).__name__ for r in results) == ["CompassionFamily", "InvalidCompassionFamily"]
    assert sorted(recruiters_in_db().values(), key=str) in ([a.pk, None], [b.pk, None])
