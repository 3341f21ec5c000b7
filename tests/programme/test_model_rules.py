"""The rules the models keep themselves, so that the admin and the shell hold them as the services do."""

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from tests.factories import HouseholdFactory, ResidentFactory, UserFactory
from tests.factories.programme import ActivityFactory, CapacityGrantFactory
from tests.factories.volunteers import CentreFactory, GroupFactory, VolunteerFactory
from tests.programme.conftest import Place
from volunteers.programme.models import (
    Activity,
    CapacityGrant,
    Commendation,
    NeighbourVisit,
    Performer,
    RiceChild,
    TheatreAudience,
)
from volunteers.programme.services import add_rice_child, set_theatre_audience

pytestmark = pytest.mark.django_db


def _commendation_elsewhere(here: Place, there: Place) -> models.Model:
    volunteer = VolunteerFactory(community=there.community, resident__name="交子李四")
    return Commendation(
        community=here.community,
        volunteer=volunteer,
        title="优秀志愿者",
        awarded_by="街道办",
        recorded_by=UserFactory(),
    )


def _grant_to_a_group_elsewhere(here: Place, there: Place) -> models.Model:
    return CapacityGrantFactory.build(
        community=here.community, group=GroupFactory(community=there.community, name="交子夜跑队")
    )


def _grant_to_both(here: Place, there: Place) -> models.Model:
    return CapacityGrantFactory.build(
        community=here.community,
        group=GroupFactory(community=here.community),
        centre=CentreFactory(community=here.community),
    )


def _meal_after_a_concert(here: Place, there: Place) -> models.Model:
    return ActivityFactory.build(community=here.community, meal_on=date(2026, 10, 20))


def _meal_before_the_rice(here: Place, there: Place) -> models.Model:
    return ActivityFactory.build(
        community=here.community, rice=True, held_on=date(2026, 10, 20), meal_on=date(2026, 10, 19)
    )


def _theatre_turned_concert(here: Place, there: Place) -> models.Model:
    theatre = ActivityFactory(community=here.community, theatre=True)
    set_theatre_audience(activity=theatre, by=here.staff, audience_note="独居老人")
    theatre.kind = Activity.Kind.CULTURE
    return theatre


def _performer_elsewhere(here: Place, there: Place) -> models.Model:
    volunteer = VolunteerFactory(community=there.community, resident__name="交子李四")
    return Performer(activity=ActivityFactory(community=here.community), volunteer=volunteer)


def _audience_of_nobody(here: Place, there: Place) -> models.Model:
    return TheatreAudience(activity=ActivityFactory(community=here.community, theatre=True), audience_note=" ")


def _audience_elsewhere(here: Place, there: Place) -> models.Model:
    return TheatreAudience(
        activity=ActivityFactory(community=here.community, theatre=True),
        resident=ResidentFactory(household__community=there.community, name="交子李奶奶"),
    )


def _child_at_the_theatre(here: Place, there: Place) -> models.Model:
    return RiceChild(
        activity=ActivityFactory(community=here.community, theatre=True), nickname="小宝", guardian_name="王妈妈"
    )


def _visit_to_two_doors(here: Place, there: Place) -> models.Model:
    child = add_rice_child(
        activity=ActivityFactory(community=here.community, rice=True), nickname="小宝", guardian_name="王妈妈"
    )
    household = HouseholdFactory(community=here.community)
    return NeighbourVisit(activity=child.activity, child=child, household=household, door="3 单元 201", rice_grams=20)


def _visit_of_another_activitys_child(here: Place, there: Place) -> models.Model:
    child = add_rice_child(
        activity=ActivityFactory(community=here.community, rice=True), nickname="小宝", guardian_name="王妈妈"
    )
    other = ActivityFactory(community=here.community, rice=True)
    return NeighbourVisit(activity=other, child=child, door="3 单元 201", rice_grams=20)


def _visit_elsewhere(here: Place, there: Place) -> models.Model:
    child = add_rice_child(
        activity=ActivityFactory(community=here.community, rice=True), nickname="小宝", guardian_name="王妈妈"
    )
    household = HouseholdFactory(community=there.community)
    return NeighbourVisit(activity=child.activity, child=child, household=household, rice_grams=20)


def _rice_from_who_declined(here: Place, there: Place) -> models.Model:
    child = add_rice_child(
        activity=ActivityFactory(community=here.community, rice=True), nickname="小宝", guardian_name="王妈妈"
    )
    return NeighbourVisit(activity=child.activity, child=child, door="3 单元 201", agreed=False, rice_grams=20)


@pytest.mark.parametrize(
    ("build", "errors"),
    [
        (_commendation_elsewhere, {"volunteer": ["交子李四 volunteers in another community."]}),
        (_grant_to_a_group_elsewhere, {"group": ["交子夜跑队 belongs to another community."]}),
        (
            _grant_to_both,
            {"__all__": ["A grant goes to exactly one volunteer group or one mutual-assistance centre."]},
        ),
        (_meal_after_a_concert, {"meal_on": ["Only A Spoon of Rice ends in a community meal."]}),
        (_meal_before_the_rice, {"meal_on": ["The meal is shared after the rice is collected."]}),
        (_theatre_turned_concert, {"kind": ["This activity has a theatre audience; it stays a theatre."]}),
        (_performer_elsewhere, {"volunteer": ["交子李四 volunteers in another community."]}),
        (_audience_of_nobody, {"audience_note": ["Describe the audience member, without a name."]}),
        # The message names no one: it may reach staff who must not learn who the audience was.
        (_audience_elsewhere, {"resident": ["The resident lives in another community."]}),
        (_child_at_the_theatre, {"__all__": ["Children take part in A Spoon of Rice only."]}),
        (
            _visit_to_two_doors,
            {"__all__": ["Name the neighbour's registered household or write their door, not both."]},
        ),
        (_visit_of_another_activitys_child, {"child": ["小宝 takes part in another activity."]}),
        (_visit_elsewhere, {"household": ["The household belongs to another community."]}),
        (_rice_from_who_declined, {"rice_grams": ["A neighbour who gave nothing gave 0 grams."]}),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else "",
)
def test_the_models_refuse_what_the_programme_forbids(
    here: Place, there: Place, build: Callable[[Place, Place], models.Model], errors: dict[str, list[str]]
) -> None:
    record = build(here, there)

    with pytest.raises(ValidationError) as error:
        record.clean()

    # clean() raises field errors as a dict, a rule of the whole row as a plain message (as full_clean reads it).
    assert ValidationError(error.value.update_error_dict({})).message_dict == errors


def test_a_grant_is_shown_by_whom_it_goes_to_and_what_for(here: Place) -> None:
    grant = CapacityGrantFactory(community=here.community, group__name="夜跑队", purpose="急救包")
    centre_grant = CapacityGrantFactory(community=here.community, to_centre=True, centre__name="水井坊中心")

    assert [str(grant), str(centre_grant)] == ["夜跑队 · 急救包", "水井坊中心 · 购买急救培训器材"]
    assert CapacityGrant(community=here.community, purpose="x", amount_fen=1).recipient is None
