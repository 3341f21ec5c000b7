from dataclasses import asdict
from datetime import date

import pytest

from tests.factories import ResidentFactory
from tests.factories.programme import ActivityFactory, CommendationFactory, TrainingSessionFactory
from tests.factories.volunteers import VolunteerFactory
from tests.programme.conftest import Place
from volunteers.programme.models import Activity, RiceChild
from volunteers.programme.selectors import ActivityCounts, activity_counts
from volunteers.programme.services import (
    add_rice_child,
    record_attendance,
    record_neighbour_visit,
    set_theatre_audience,
)
from yicang.community.models import Community

pytestmark = pytest.mark.django_db

OCTOBER, NOVEMBER = date(2026, 10, 1), date(2026, 11, 1)


def _rice(community: Community, held_on: date, doors: dict[str, list[int]]) -> None:
    """A Spoon of Rice with a child per key, each knocking on doors that gave those grams (0: declined)."""
    activity = ActivityFactory(community=community, rice=True, held_on=held_on)
    for nickname, grams in doors.items():
        child = add_rice_child(activity=activity, nickname=nickname, guardian_name=f"{nickname}的妈妈")
        for n, given in enumerate(grams):
            record_neighbour_visit(child=child, door=f"{n + 1} 号", rice_grams=given, agreed=given > 0)


def _programme(place: Place, held_on: date) -> None:
    """Two theatres (one reached its audience), a Spoon of Rice, a concert, three sessions (4 came), two awards."""
    community = place.community
    reached = ActivityFactory(community=community, theatre=True, held_on=held_on)
    set_theatre_audience(
        activity=reached, by=place.manager, resident=ResidentFactory(household__community=community, name="张奶奶")
    )
    ActivityFactory(community=community, theatre=True, held_on=held_on)  # planned, nobody recorded yet
    ActivityFactory(community=community, held_on=held_on)
    _rice(community, held_on, {"小宝": [20, 25, 0], "豆豆": [40]})
    volunteers = [VolunteerFactory(community=community) for _ in range(3)]
    sessions = TrainingSessionFactory.create_batch(3, curriculum__community=community, held_on=held_on)
    for session, roll in zip(sessions, [[True, False], [True, True], [False, False, True]], strict=True):
        for volunteer, came in zip(volunteers, roll, strict=False):
            record_attendance(session=session, volunteer=volunteer, attended=came)
    for title in ("优秀志愿者", "最美邻居"):
        CommendationFactory(volunteer=volunteers[0], awarded_on=held_on, title=title)


def test_activity_counts_are_exact_and_take_four_queries(
    here: Place, there: Place, django_assert_num_queries: object
) -> None:
    _programme(here, date(2026, 10, 15))
    _programme(here, date(2026, 9, 30))  # the month before
    _programme(there, date(2026, 10, 15))  # another community
    _rice(here.community, date(2026, 10, 31), {"圆圆": [30, 30]})
    _rice(here.community, NOVEMBER, {"多多": [50]})  # the period ends before this day

    with django_assert_num_queries(4):  # type: ignore[operator]
        counts = activity_counts(here.community, OCTOBER, NOVEMBER)

    assert counts == ActivityCounts(
        activities={"one_audience_theatre": 2, "spoon_of_rice": 2, "culture": 1, "other": 0},
        theatre_audiences=1,
        rice_children=3,
        neighbours_contacted=6,
        neighbours_giving=5,
        rice_grams=145,
        training_sessions=3,
        attendances=4,
        commendations=2,
    )


def test_activity_counts_hold_no_names(here: Place) -> None:
    _programme(here, date(2026, 10, 15))

    counts = asdict(activity_counts(here.community, OCTOBER, NOVEMBER))

    assert "张奶奶" not in repr(counts)
    assert not set(RiceChild.objects.values_list("nickname", flat=True)) & set(map(str, counts.values()))
    assert all(isinstance(v, int) for v in (*counts.pop("activities").values(), *counts.values()))


def test_an_empty_period_counts_zero_of_everything(here: Place) -> None:
    assert activity_counts(here.community, OCTOBER, NOVEMBER) == ActivityCounts(
        activities=dict.fromkeys(Activity.Kind.values, 0)
    )
