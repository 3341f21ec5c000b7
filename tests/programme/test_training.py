from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tests.clients import signed_in
from tests.factories.programme import CommendationFactory, CurriculumFactory, TrainingSessionFactory
from tests.factories.volunteers import VolunteerFactory
from tests.programme.conftest import Place
from volunteers.programme.exceptions import AlreadyRecorded, OtherCommunity, ProgrammeError
from volunteers.programme.models import Attendance, Commendation
from volunteers.programme.services import commend, record_attendance

pytestmark = pytest.mark.django_db


def test_attendance_is_one_row_per_volunteer_and_session(here: Place) -> None:
    session = TrainingSessionFactory(curriculum__community=here.community)
    volunteer = VolunteerFactory(community=here.community)

    first = record_attendance(session=session, volunteer=volunteer)
    corrected = record_attendance(session=session, volunteer=volunteer, attended=False)

    assert corrected.pk == first.pk
    assert list(Attendance.objects.values_list("session", "volunteer", "attended")) == [
        (session.pk, volunteer.pk, False)
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(session=session, volunteer=volunteer)
    with pytest.raises(ValidationError, match="already exists"):
        Attendance(session=session, volunteer=volunteer).full_clean()


def test_only_volunteers_of_the_sessions_community_attend(here: Place, there: Place) -> None:
    session = TrainingSessionFactory(curriculum__community=here.community)
    stranger = VolunteerFactory(community=there.community, resident__name="交子李四")

    with pytest.raises(OtherCommunity, match=r"^交子李四 belongs to another community\.$"):
        record_attendance(session=session, volunteer=stranger)
    with pytest.raises(ValidationError) as error:
        Attendance(session=session, volunteer=stranger).full_clean()

    assert error.value.message_dict == {"volunteer": ["交子李四 volunteers in another community."]}
    assert not Attendance.objects.exists()


def test_a_commendation_is_recorded_with_who_gave_it(here: Place) -> None:
    volunteer = VolunteerFactory(community=here.community)

    commendation = commend(
        volunteer=volunteer,
        title=" 优秀志愿者 ",
        awarded_by="水井坊街道办事处",
        citation="三年坚持入户探访独居老人。",
        awarded_on=date(2026, 9, 30),
        by=here.manager,
    )

    assert list(
        Commendation.objects.values_list(
            "community", "volunteer", "title", "awarded_on", "awarded_by", "citation", "public", "recorded_by"
        )
    ) == [
        (
            here.community.pk,
            volunteer.pk,
            "优秀志愿者",
            date(2026, 9, 30),
            "水井坊街道办事处",
            "三年坚持入户探访独居老人。",
            False,
            here.manager.pk,
        )
    ]
    assert commendation.pk == Commendation.objects.get().pk


def test_a_public_commendation_needs_the_volunteers_consent_to_be_named(here: Place) -> None:
    shy = VolunteerFactory(community=here.community, resident__name="王秀英")
    willing = VolunteerFactory(community=here.community, public_name_consent=True)

    with pytest.raises(ProgrammeError, match=r"^王秀英 has not agreed to be named publicly\.$"):
        commend(volunteer=shy, title="优秀志愿者", awarded_by="街道办", public=True, by=here.manager)
    public = commend(volunteer=willing, title="优秀志愿者", awarded_by="街道办", public=True, by=here.manager)

    assert list(Commendation.objects.values_list("volunteer", "public")) == [(willing.pk, True)]
    assert public.volunteer == willing


def test_a_commendation_needs_a_title_a_past_day_and_is_recorded_once(here: Place) -> None:
    volunteer = VolunteerFactory(community=here.community)
    earlier = CommendationFactory(volunteer=volunteer, title="优秀志愿者", awarded_on=date(2026, 10, 1))

    with pytest.raises(ProgrammeError):
        commend(volunteer=volunteer, title="  ", awarded_by="街道办", by=here.manager)
    with pytest.raises(ProgrammeError, match="cannot be awarded in the future"):
        commend(
            volunteer=volunteer,
            title="优秀志愿者",
            awarded_by="街道办",
            awarded_on=timezone.localdate() + timedelta(days=1),
            by=here.manager,
        )
    with pytest.raises(AlreadyRecorded, match="already commended as 优秀志愿者 that day") as again:
        commend(
            volunteer=volunteer, title="优秀志愿者", awarded_by="街道办", awarded_on=date(2026, 10, 1), by=here.manager
        )

    assert again.value.status == 409
    assert list(Commendation.objects.all()) == [earlier]


def test_a_curriculum_plans_some_hours() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CurriculumFactory(hours_planned=0)


def test_attendance_is_taken_in_the_sessions_admin_page(here: Place) -> None:
    session = TrainingSessionFactory(curriculum__community=here.community)
    came, missed = VolunteerFactory(community=here.community), VolunteerFactory(community=here.community)
    url = reverse("admin:volunteer_programme_trainingsession_change", args=[session.pk])

    response = signed_in(here.staff).post(
        url,
        {
            "curriculum": session.curriculum.pk,
            "held_on": "2026-10-10",
            "place": "水井坊社区活动室",
            "trainer": "刘老师",
            "attendances-TOTAL_FORMS": "2",
            "attendances-INITIAL_FORMS": "0",
            "attendances-0-volunteer": came.pk,
            "attendances-0-attended": "on",
            "attendances-1-volunteer": missed.pk,
        },
    )

    assert response.status_code == 302
    assert sorted(Attendance.objects.values_list("volunteer", "attended")) == sorted(
        [(came.pk, True), (missed.pk, False)]
    )


def test_another_communitys_volunteer_cannot_be_put_on_the_roll_in_the_admin(here: Place, there: Place) -> None:
    session = TrainingSessionFactory(curriculum__community=here.community)
    stranger = VolunteerFactory(community=there.community)

    response = signed_in(here.staff).post(
        reverse("admin:volunteer_programme_trainingsession_change", args=[session.pk]),
        {
            "curriculum": session.curriculum.pk,
            "held_on": "2026-10-10",
            "place": "水井坊社区活动室",
            "trainer": "刘老师",
            "attendances-TOTAL_FORMS": "1",
            "attendances-INITIAL_FORMS": "0",
            "attendances-0-volunteer": stranger.pk,
            "attendances-0-attended": "on",
        },
    )

    assert response.status_code == 200
    assert list(response.context["inline_admin_formsets"][0].formset.errors[0]) == ["volunteer"]
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_another_communitys_session_is_not_found(here: Place, there: Place, view: str) -> None:
    session = TrainingSessionFactory(curriculum__community=there.community, trainer="交子的培训师")

    response = signed_in(here.manager).get(
        reverse(f"admin:volunteer_programme_trainingsession_{view}", args=[session.pk])
    )

    assert response.status_code == 404
    assert "交子的培训师" not in response.content.decode()


def test_a_commendation_added_in_the_admin_records_who_added_it(here: Place) -> None:
    volunteer = VolunteerFactory(community=here.community)

    response = signed_in(here.staff).post(
        reverse("admin:volunteer_programme_commendation_add"),
        {
            "community": here.community.pk,
            "volunteer": volunteer.pk,
            "title": "最美邻居",
            "awarded_on": "2026-09-30",
            "awarded_by": "锦江区民政局",
            "citation": "",
        },
    )

    assert response.status_code == 302
    assert list(Commendation.objects.values_list("volunteer", "title", "public", "recorded_by")) == [
        (volunteer.pk, "最美邻居", False, here.staff.pk)
    ]
    page = signed_in(here.staff).get(
        reverse("admin:volunteer_programme_commendation_change", args=[Commendation.objects.get().pk])
    )
    assert list(page.context["adminform"].readonly_fields) == ["recorded_by"]


def test_a_curriculum_page_lists_its_sessions(here: Place) -> None:
    curriculum = CurriculumFactory(community=here.community, title="急救培训")
    sessions = TrainingSessionFactory.create_batch(2, curriculum=curriculum)

    response = signed_in(here.staff).get(reverse("admin:volunteer_programme_curriculum_change", args=[curriculum.pk]))

    assert response.status_code == 200
    assert sorted(f.instance.pk for f in response.context["inline_admin_formsets"][0].formset.forms) == sorted(
        s.pk for s in sessions
    )
