import re
from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.clients import signed_in
from tests.factories import CommunityFactory, UserFactory, staff_of
from tests.factories.volunteers import (
    CentreFactory,
    GroupFactory,
    MembershipFactory,
    TimeDonationFactory,
    VolunteerFactory,
)
from tests.volunteers.test_network import build_chain
from volunteers.models import Centre, Group, TimeDonation, Volunteer
from yicang.community.models import Community, StaffMembership, User

pytestmark = pytest.mark.django_db


@dataclass
class Side:
    community: Community
    staff: User


@pytest.fixture
def side_a() -> Side:
    community = CommunityFactory(name="水井坊社区", code="shuijingfang")
    return Side(community=community, staff=staff_of(community, username="shuijingfang-manager"))


@pytest.fixture
def side_b() -> Side:
    community = CommunityFactory(name="交子社区", code="jiaozi")
    return Side(community=community, staff=staff_of(community, username="jiaozi-manager"))


def _svg(html: str) -> str:
    return html[html.index("<svg") : html.index("</svg>") + len("</svg>")]


# --- the network ------------------------------------------------------------------------------


def test_the_network_page_ranks_the_bridges_and_draws_them(side_a: Side) -> None:
    build_chain(side_a.community)

    response = signed_in(side_a.staff).get(reverse("volunteers:network", args=["shuijingfang"]))

    assert response.status_code == 200
    assert [b.name for b in response.context["network"].bridges] == ["王桥", "赵桥"]
    svg = _svg(response.content.decode())
    assert len(re.findall(r'<g class="group volunteer-group">\s*<title>[^<]*</title>\s*<circle ', svg)) == 1
    assert len(re.findall(r'<g class="group interest-group">\s*<title>[^<]*</title>\s*<circle ', svg)) == 2
    assert len(re.findall(r'<g class="bridge">\s*<title>[^<]*</title>\s*<circle ', svg)) == 2
    assert svg.count("<circle ") == 5
    assert svg.count("<line ") == 4
    assert svg.count("<title") == 6  # the picture's own, and one per circle
    assert "1. 王桥: 夜跑队, 送物资志愿队" in svg


def test_the_network_picture_loads_nothing_from_elsewhere(side_a: Side) -> None:
    build_chain(side_a.community)

    html = signed_in(side_a.staff).get(reverse("volunteers:network", args=["shuijingfang"])).content.decode()

    svg = _svg(html)
    assert "http" not in svg
    assert "href" not in svg
    assert "<script" not in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert [s for s in sources if s.startswith(("http:", "https:", "//"))] == []
    assert "/static/css/volunteers.css" in sources
    assert Client().get("/static/css/volunteers.css").status_code == 200


def test_a_community_without_groups_has_no_picture(side_a: Side) -> None:
    response = signed_in(side_a.staff).get(reverse("volunteers:network", args=["shuijingfang"]))

    assert response.status_code == 200
    assert response.context["network"].groups == []
    assert "<svg" not in response.content.decode()


def test_another_communitys_network_is_not_found(side_a: Side, side_b: Side) -> None:
    build_chain(side_b.community)

    response = signed_in(side_a.staff).get(reverse("volunteers:network", args=["jiaozi"]))

    assert response.status_code == 404
    assert "王桥" not in response.content.decode()


def test_the_network_page_needs_a_staff_login(side_a: Side) -> None:
    response = Client().get(reverse("volunteers:network", args=["shuijingfang"]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_the_volunteers_permissions_are_refused(side_a: Side) -> None:
    warehouse = signed_in(staff_of(side_a.community, role=StaffMembership.Role.WAREHOUSE))

    for url in (
        reverse("volunteers:network", args=["shuijingfang"]),
        reverse("volunteers:hours", args=["shuijingfang"]),
        reverse("volunteers:volunteer", args=[VolunteerFactory(community=side_a.community).pk]),
    ):
        assert warehouse.get(url).status_code == 403, url


def test_the_network_page_has_a_pinned_query_count(side_a: Side, django_assert_num_queries: object) -> None:
    client = signed_in(side_a.staff)
    url = reverse("volunteers:network", args=["shuijingfang"])
    build_chain(side_a.community)
    # The session, the user, the community, the user's and their groups' permissions, the memberships.
    with django_assert_num_queries(6):  # type: ignore[operator]
        client.get(url)
    for group in GroupFactory.create_batch(6, community=side_a.community):
        MembershipFactory.create_batch(5, group=group)
        VolunteerFactory(community=side_a.community, resident=MembershipFactory(group=group).resident)
    with django_assert_num_queries(6):  # type: ignore[operator]
        response = client.get(url)
    assert len(response.context["picture"].groups) == 9


# --- hours --------------------------------------------------------------------------------------


@dataclass
class Hours:
    runners: Group
    readers: Group
    centre: Centre
    wang: Volunteer
    li: Volunteer


def _hours(community: Community) -> Hours:
    """Confirmed: 王 60 (Mar, 夜跑队, centre), 30 (Mar, 亲子阅读), 45 (Apr, 夜跑队); 李 90 (Mar, 夜跑队, centre).
    Pending 500 and rejected 120 in March, which never count."""
    runners = GroupFactory(community=community, name="夜跑队", interest=True)
    readers = GroupFactory(community=community, name="亲子阅读")
    centre = CentreFactory(community=community, name="水井坊邻里互助中心")
    wang, li = VolunteerFactory(community=community), VolunteerFactory(community=community)
    march, april = date(2025, 3, 10), date(2025, 4, 2)
    for volunteer, minutes, day, group, at in [
        (wang, 60, march, runners, centre),
        (wang, 30, march, readers, None),
        (wang, 45, april, runners, None),
        (li, 90, march, runners, centre),
    ]:
        TimeDonationFactory(volunteer=volunteer, minutes=minutes, given_on=day, group=group, centre=at, confirmed=True)
    TimeDonationFactory(volunteer=li, minutes=500, given_on=march, group=runners, centre=centre)
    TimeDonationFactory(volunteer=li, minutes=120, given_on=march, group=readers, status=TimeDonation.Status.REJECTED)
    return Hours(runners=runners, readers=readers, centre=centre, wang=wang, li=li)


def test_the_hours_page_gives_a_months_hours_per_group_and_centre(side_a: Side) -> None:
    _hours(side_a.community)

    response = signed_in(side_a.staff).get(reverse("volunteers:hours", args=["shuijingfang"]), {"month": "2025-03"})

    assert response.status_code == 200
    context = response.context
    assert context["month"] == date(2025, 3, 1)
    assert [(r["group__name"], r["minutes"], r["volunteers"]) for r in context["groups"]] == [
        ("夜跑队", 150, 2),
        ("亲子阅读", 30, 1),
    ]
    assert [(r["centre__name"], r["minutes"], r["volunteers"]) for r in context["centres"]] == [
        ("水井坊邻里互助中心", 150, 2)
    ]
    assert (context["selected"].minutes, context["selected"].donations, context["selected"].volunteers) == (180, 3, 2)
    assert context["focus"] is None


def test_the_hours_page_shows_the_last_twelve_months(side_a: Side) -> None:
    _hours(side_a.community)

    response = signed_in(side_a.staff).get(reverse("volunteers:hours", args=["shuijingfang"]), {"month": "2025-04"})

    months = response.context["months"]
    assert [row.month for row in months] == [date(2024, m, 1) for m in range(5, 13)] + [
        date(2025, m, 1) for m in range(1, 5)
    ]
    assert [(row.minutes, row.share) for row in months if row.minutes] == [(180, 100), (45, 25)]
    assert response.context["selected"].minutes == 45
    assert (response.context["previous"], response.context["next"]) == (date(2025, 3, 1), date(2025, 5, 1))
    html = response.content.decode()
    assert 'href="/staff/c/shuijingfang/hours/?month=2025-03"' in html
    assert (
        f'href="/staff/c/shuijingfang/hours/?month=2025-04&amp;group={response.context["groups"][0]["group_id"]}"'
        in html
    )


def test_the_hours_page_gives_one_groups_or_centres_history(side_a: Side) -> None:
    hours = _hours(side_a.community)
    client = signed_in(side_a.staff)
    url = reverse("volunteers:hours", args=["shuijingfang"])

    runners = client.get(url, {"month": "2025-04", "group": hours.runners.pk}).context
    centre = client.get(url, {"month": "2025-04", "centre": hours.centre.pk}).context

    assert runners["focus"] == hours.runners
    assert [(row.month.month, row.minutes) for row in runners["months"] if row.minutes] == [(3, 150), (4, 45)]
    assert centre["focus"] == hours.centre
    assert [(row.month.month, row.minutes) for row in centre["months"] if row.minutes] == [(3, 150)]


def test_another_communitys_group_is_not_found_on_the_hours_page(side_a: Side, side_b: Side) -> None:
    theirs = GroupFactory(community=side_b.community)
    client = signed_in(side_a.staff)
    url = reverse("volunteers:hours", args=["shuijingfang"])

    assert client.get(url, {"group": theirs.pk}).status_code == 404
    assert client.get(url, {"group": "x"}).status_code == 404
    assert client.get(reverse("volunteers:hours", args=["jiaozi"])).status_code == 404


def test_a_missing_or_odd_month_means_this_month(side_a: Side) -> None:
    client = signed_in(side_a.staff)
    url = reverse("volunteers:hours", args=["shuijingfang"])
    this_month = timezone.localdate().replace(day=1)

    for month in (None, "2025-13", "soon", "1999-01"):
        response = client.get(url, {"month": month} if month else {})
        assert (response.status_code, response.context["month"]) == (200, this_month), month


def test_the_hours_page_needs_a_staff_login(side_a: Side) -> None:
    response = Client().get(reverse("volunteers:hours", args=["shuijingfang"]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_hours_page_has_a_pinned_query_count(side_a: Side, django_assert_num_queries: object) -> None:
    client = signed_in(side_a.staff)
    url = reverse("volunteers:hours", args=["shuijingfang"])
    # The session, the user, the community, two of permissions, the months, per group, per centre.
    with django_assert_num_queries(8):  # type: ignore[operator]
        client.get(url, {"month": "2025-03"})
    hours = _hours(side_a.community)
    for group in GroupFactory.create_batch(5, community=side_a.community):
        TimeDonationFactory(volunteer=hours.wang, group=group, given_on=date(2025, 3, 20), confirmed=True)
    with django_assert_num_queries(8):  # type: ignore[operator]
        response = client.get(url, {"month": "2025-03"})
    assert len(response.context["groups"]) == 7
    with django_assert_num_queries(9):  # type: ignore[operator]  # and the group
        client.get(url, {"month": "2025-03", "group": hours.runners.pk})


# --- one volunteer ------------------------------------------------------------------------------


def test_the_volunteer_page_shows_groups_history_and_the_households_time_balance(side_a: Side) -> None:
    volunteer = VolunteerFactory(community=side_a.community, resident__name="王秀英")
    runners = GroupFactory(community=side_a.community, name="夜跑队", interest=True)
    MembershipFactory(group=runners, resident=volunteer.resident)
    MembershipFactory(group=GroupFactory(community=side_a.community, name="送物资志愿队"), resident=volunteer.resident)
    centre = CentreFactory(community=side_a.community)
    centre.members.add(volunteer)
    today = timezone.localdate()
    TimeDonationFactory(volunteer=volunteer, minutes=90, given_on=today, confirmed=True)
    TimeDonationFactory(volunteer=volunteer, minutes=60, given_on=today, group=runners, confirmed=True)
    TimeDonationFactory(volunteer=volunteer, minutes=45, given_on=today)  # pending: not credited

    response = signed_in(side_a.staff).get(reverse("volunteers:volunteer", args=[volunteer.pk]))

    assert response.status_code == 200
    context = response.context
    assert [m.group.name for m in context["memberships"]] == ["夜跑队", "送物资志愿队"]
    assert context["centres"] == [centre]
    assert [(d.minutes, d.status) for d in context["history"]] == [
        (45, "pending"),
        (60, "confirmed"),
        (90, "confirmed"),
    ]
    assert context["account"].shown_balance == 150
    assert context["household"] == volunteer.resident.household
    assert [(row.month, row.minutes, row.donations) for row in context["months"] if row.minutes] == [
        (today.replace(day=1), 150, 2)
    ]
    assert context["months"][-1].month == today.replace(day=1)
    assert "王秀英" in response.content.decode()


def test_a_volunteer_without_a_time_account_has_a_zero_balance(side_a: Side) -> None:
    volunteer = VolunteerFactory(community=side_a.community)

    response = signed_in(side_a.staff).get(reverse("volunteers:volunteer", args=[volunteer.pk]))

    assert (response.status_code, response.context["account"]) == (200, None)
    assert response.context["household"] == volunteer.resident.household


def test_a_volunteer_of_no_household_has_no_time_account(side_a: Side) -> None:
    volunteer = VolunteerFactory(community=side_a.community, resident__household=None)

    response = signed_in(side_a.staff).get(reverse("volunteers:volunteer", args=[volunteer.pk]))

    assert (response.status_code, response.context["household"], response.context["account"]) == (200, None, None)


def test_another_communitys_volunteer_is_not_found(side_a: Side, side_b: Side) -> None:
    theirs = VolunteerFactory(community=side_b.community, resident__name="交子李四")

    response = signed_in(side_a.staff).get(reverse("volunteers:volunteer", args=[theirs.pk]))

    assert response.status_code == 404
    assert "交子李四" not in response.content.decode()


def test_national_staff_see_any_volunteer(side_b: Side) -> None:
    theirs = VolunteerFactory(community=side_b.community)
    national = UserFactory(national=True, is_superuser=True)

    assert signed_in(national).get(reverse("volunteers:volunteer", args=[theirs.pk])).status_code == 200


def test_the_volunteer_page_needs_a_staff_login(side_a: Side) -> None:
    volunteer = VolunteerFactory(community=side_a.community)

    response = Client().get(reverse("volunteers:volunteer", args=[volunteer.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_volunteer_page_has_a_pinned_query_count(side_a: Side, django_assert_num_queries: object) -> None:
    volunteer = VolunteerFactory(community=side_a.community)
    client = signed_in(side_a.staff)
    url = reverse("volunteers:volunteer", args=[volunteer.pk])
    TimeDonationFactory(volunteer=volunteer, confirmed=True)
    # The session, the user, the volunteer, two of permissions, the time account, the memberships, the
    # centres, the history's count and page, the months.
    with django_assert_num_queries(11):  # type: ignore[operator]
        client.get(url)
    centre = CentreFactory(community=side_a.community)
    centre.members.add(volunteer)
    for group in GroupFactory.create_batch(4, community=side_a.community):
        MembershipFactory(group=group, resident=volunteer.resident)
        TimeDonationFactory.create_batch(10, volunteer=volunteer, group=group, centre=centre, confirmed=True)
    with django_assert_num_queries(11):  # type: ignore[operator]
        response = client.get(url)
    assert (len(response.context["history"]), response.context["history"].paginator.count) == (30, 41)
