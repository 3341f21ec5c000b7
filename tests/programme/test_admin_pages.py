"""Every changelist of the programme, and the busiest change page, has a pinned query count that does not
grow with its rows."""

from collections.abc import Callable

import pytest
from django.urls import reverse

from tests.clients import signed_in
from tests.factories.programme import (
    ActivityFactory,
    CapacityGrantFactory,
    CommendationFactory,
    CurriculumFactory,
    TrainingSessionFactory,
)
from tests.factories.volunteers import GroupFactory, VolunteerFactory
from tests.programme.conftest import Place
from volunteers.programme.services import (
    add_performer,
    add_rice_child,
    record_attendance,
    record_neighbour_visit,
    set_theatre_audience,
)


def _curriculum(place: Place) -> None:
    TrainingSessionFactory.create_batch(2, curriculum=CurriculumFactory(community=place.community))


def _session(place: Place) -> None:
    session = TrainingSessionFactory(curriculum=CurriculumFactory(community=place.community))
    record_attendance(session=session, volunteer=VolunteerFactory(community=place.community))


def _commendation(place: Place) -> None:
    CommendationFactory(volunteer=VolunteerFactory(community=place.community))


def _grant(place: Place) -> None:
    CapacityGrantFactory(community=place.community)
    CapacityGrantFactory(community=place.community, to_centre=True)


def _activity(place: Place) -> None:
    ActivityFactory(community=place.community, organiser=GroupFactory(community=place.community))
    theatre = ActivityFactory(community=place.community, theatre=True)
    set_theatre_audience(activity=theatre, by=place.staff, audience_note="独居老人")


@pytest.mark.parametrize(
    ("model", "make", "queries"),
    [
        ("curriculum", _curriculum, 7),
        ("trainingsession", _session, 7),
        ("commendation", _commendation, 7),
        ("capacitygrant", _grant, 7),
        ("activity", _activity, 7),
    ],
)
@pytest.mark.django_db
def test_changelists_have_pinned_query_counts(
    here: Place,
    there: Place,
    model: str,
    make: Callable[[Place], None],
    queries: int,
    django_assert_num_queries: object,
) -> None:
    client = signed_in(here.manager)
    url = reverse(f"admin:volunteer_programme_{model}_changelist")
    make(here)
    with django_assert_num_queries(queries):  # type: ignore[operator]
        assert client.get(url).status_code == 200
    for _ in range(10):
        make(here)
    make(there)

    with django_assert_num_queries(queries):  # type: ignore[operator]
        response = client.get(url)

    assert response.status_code == 200


@pytest.mark.django_db
def test_a_spoon_of_rice_page_takes_the_same_queries_for_one_door_or_thirty(
    here: Place, django_assert_num_queries: object
) -> None:
    rice = ActivityFactory(community=here.community, rice=True)
    client = signed_in(here.staff)
    url = reverse("admin:volunteer_programme_activity_change", args=[rice.pk])

    def child(nickname: str, doors: int) -> None:
        visiting = add_rice_child(activity=rice, nickname=nickname, guardian_name="王妈妈")
        for n in range(doors):
            record_neighbour_visit(child=visiting, door=f"{n + 1} 号", rice_grams=20)

    child("小宝", 1)
    add_performer(activity=rice, volunteer=VolunteerFactory(community=here.community))
    with django_assert_num_queries(11):  # type: ignore[operator]
        assert client.get(url).status_code == 200
    child("豆豆", 10)
    child("圆圆", 10)
    child("多多", 9)

    with django_assert_num_queries(11):  # type: ignore[operator]
        response = client.get(url)

    assert response.context["inline_admin_formsets"][2].formset.total_form_count() == 30
