"""A volunteer who leaves keeps the day: the months before it still count them, the months after do not."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tests.clients import signed_in
from tests.factories import CommunityFactory, UserFactory
from tests.factories.volunteers import VolunteerFactory
from volunteers.models import Volunteer
from yicang.community.models import Community
from yicang.reports.models import MonthlyStatistic
from yicang.reports.statistics import refresh_statistics

pytestmark = pytest.mark.django_db


def _volunteers(community: object, month: date) -> int:
    return MonthlyStatistic.objects.get(scope="community", community=community, month=month).volunteers


def test_the_statistics_count_a_volunteer_until_the_month_they_left() -> None:
    community = CommunityFactory()
    Community.objects.filter(pk=community.pk).update(created_at=timezone.now() - timedelta(days=400))
    february, march, april = date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)
    VolunteerFactory(community=community, since=date(2026, 1, 10))
    VolunteerFactory(community=community, since=date(2026, 1, 10), status="left", left_on=date(2026, 3, 15))

    for month in (february, march, april):
        refresh_statistics(month)

    # Counted as of each month's last day: still there on 28 February, gone by 31 March.
    assert [_volunteers(community, month) for month in (february, march, april)] == [2, 1, 1]


def _change(admin: object, volunteer: Volunteer, **fields: str) -> object:
    form = {
        "community": volunteer.community_id,
        "resident": volunteer.resident_id,
        "skills": "",
        "availability": "",
        "status": "active",
        "since": "2026-01-10",
        "left_on": "",
    } | fields
    url = reverse("admin:volunteers_volunteer_change", args=[volunteer.pk])
    return admin.post(url, form, HTTP_ACCEPT_LANGUAGE="en")  # type: ignore[attr-defined]


def test_marking_a_volunteer_left_in_the_admin_keeps_today_unless_a_day_is_given() -> None:
    admin = signed_in(UserFactory(is_superuser=True, is_staff=True))
    today_leaver = VolunteerFactory(since=date(2026, 1, 10))
    dated_leaver = VolunteerFactory(since=date(2026, 1, 10))

    first = _change(admin, today_leaver, status="left")
    second = _change(admin, dated_leaver, status="left", left_on="2026-06-30")

    assert (first.status_code, second.status_code) == (302, 302)  # type: ignore[attr-defined]
    today_leaver.refresh_from_db()
    dated_leaver.refresh_from_db()
    assert today_leaver.status == "left"
    assert today_leaver.left_on == timezone.localdate()
    assert dated_leaver.left_on == date(2026, 6, 30)


def test_coming_back_clears_the_day_and_leaving_before_joining_is_refused() -> None:
    admin = signed_in(UserFactory(is_superuser=True, is_staff=True))
    returning = VolunteerFactory(since=date(2026, 1, 10), status="left", left_on=date(2026, 5, 1))
    early = VolunteerFactory(since=date(2026, 1, 10))

    back = _change(admin, returning, status="active", left_on="2026-05-01")
    refused = _change(admin, early, status="left", left_on="2025-12-31")

    returning.refresh_from_db()
    early.refresh_from_db()
    assert back.status_code == 302  # type: ignore[attr-defined]
    assert (returning.status, returning.left_on) == ("active", None)
    assert refused.status_code == 200  # type: ignore[attr-defined]
    assert "A volunteer leaves on or after the day they began." in refused.content.decode()  # type: ignore[attr-defined]
    assert (early.status, early.left_on) == ("active", None)


@pytest.mark.parametrize(("status", "left_on"), [("left", None), ("active", date(2026, 5, 1))])
def test_the_database_keeps_the_day_and_the_status_together(status: str, left_on: date | None) -> None:
    volunteer = VolunteerFactory(since=date(2026, 1, 10))

    with pytest.raises(IntegrityError), transaction.atomic():
        Volunteer.objects.filter(pk=volunteer.pk).update(status=status, left_on=left_on)
