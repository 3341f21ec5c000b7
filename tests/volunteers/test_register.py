from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

import volunteers.views
from tests.factories import CommunityFactory, HouseholdFactory, UserFactory
from tests.factories.recipients import RecipientFamilyFactory
from tests.factories.volunteers import GroupFactory, TimeDonationFactory, VolunteerFactory
from volunteers.models import Volunteer
from volunteers.views import RegisterEntry
from yicang.community.models import Community
from yicang.privacy.services import erase_resident

pytestmark = pytest.mark.django_db

URL = reverse("volunteers:register")


def _entries(response: object) -> list[RegisterEntry]:
    return response.context["entries"]  # type: ignore[attr-defined, no-any-return]


@pytest.fixture
def community() -> Community:
    return CommunityFactory(name="水井坊社区", code="shuijingfang")


def test_the_register_names_only_volunteers_who_agreed(community: Community) -> None:
    VolunteerFactory(community=community, resident__name="王秀英", consenting=True)
    VolunteerFactory(community=community, resident__name="李不愿具名")
    VolunteerFactory(community=community, resident__name="赵也不愿")

    response = Client().get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert "王秀英" in html
    assert "李不愿具名" not in html
    assert "赵也不愿" not in html
    [entry] = _entries(response)
    assert (entry.community, entry.names, entry.named, entry.unnamed, entry.active) == (community, ["王秀英"], 1, 2, 3)


def test_volunteers_who_paused_left_or_were_erased_are_not_named_or_counted_as_named(community: Community) -> None:
    VolunteerFactory(community=community, resident__name="王在岗", consenting=True)
    VolunteerFactory(community=community, resident__name="李暂停", consenting=True, status=Volunteer.Status.PAUSED)
    VolunteerFactory(community=community, resident__name="赵离开", consenting=True, status=Volunteer.Status.LEFT)
    erased = VolunteerFactory(community=community, resident__name="陈已删除", consenting=True)
    erase_resident(resident=erased.resident, by=UserFactory(is_superuser=True), reason="本人要求")

    response = Client().get(URL)

    html = response.content.decode()
    for name in ("李暂停", "赵离开", "陈已删除", erased.resident.name):
        assert name not in html, name
    [entry] = _entries(response)
    assert (entry.names, entry.named, entry.unnamed) == (["王在岗"], 1, 1)


def test_hours_and_groups_are_public(community: Community) -> None:
    volunteer = VolunteerFactory(community=community)
    GroupFactory.create_batch(2, community=community)
    GroupFactory(community=community, interest=True)
    TimeDonationFactory(volunteer=volunteer, minutes=90, given_on=date(2025, 3, 1), confirmed=True)
    TimeDonationFactory(volunteer=volunteer, minutes=45, confirmed=True)
    TimeDonationFactory(volunteer=volunteer, minutes=600)  # pending: not counted

    [entry] = _entries(Client().get(URL))

    assert (entry.minutes, entry.groups) == (135, 3)


def test_the_register_shows_no_recipient_household_or_contact_data(community: Community) -> None:
    household = HouseholdFactory(community=community, name="孙家", address="黄伞巷7号")
    VolunteerFactory(community=community, resident__household=household, resident__name="孙志愿", consenting=True)
    RecipientFamilyFactory(household=HouseholdFactory(community=community, name="受助周家", address="水井街9号"))

    html = Client().get(URL).content.decode()

    assert "孙志愿" in html
    for private in ("孙家", "黄伞巷7号", "受助周家", "水井街9号"):
        assert private not in html, private


def test_communities_without_active_volunteers_are_left_out_unless_asked_for(community: Community) -> None:
    quiet = CommunityFactory(name="交子社区", code="jiaozi")
    VolunteerFactory(community=quiet, status=Volunteer.Status.LEFT)
    VolunteerFactory(community=community)

    listed = Client().get(URL)
    asked = Client().get(URL, {"c": "jiaozi"})
    unknown = Client().get(URL, {"c": "nowhere"})

    assert [e.community for e in _entries(listed)] == [community]
    assert [(e.community, e.active, e.minutes, e.groups) for e in _entries(asked)] == [(quiet, 0, 0, 0)]
    assert (unknown.status_code, _entries(unknown)) == (200, [])


def test_the_register_filters_by_community_code(community: Community) -> None:
    VolunteerFactory(community=community, resident__name="王秀英", consenting=True)
    VolunteerFactory(community=CommunityFactory(code="jiaozi"), resident__name="交子李四", consenting=True)

    response = Client().get(URL, {"c": "jiaozi"})

    html = response.content.decode()
    assert [e.names for e in _entries(response)] == [["交子李四"]]
    assert "王秀英" not in html


def test_the_list_shows_some_names_and_the_communitys_own_page_all(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(volunteers.views, "NAMES_PER_COMMUNITY", 2)
    for name in ("丁", "丙", "乙", "甲"):
        VolunteerFactory(community=community, resident__name=name, consenting=True)
    VolunteerFactory(community=CommunityFactory(), resident__name="戊", consenting=True)

    listed = _entries(Client().get(URL))
    own = _entries(Client().get(URL, {"c": "shuijingfang"}))

    assert [(e.names, e.named, e.names_left_out) for e in listed] == [(["丁", "丙"], 4, 2), (["戊"], 1, 0)]
    assert [(e.names, e.names_left_out) for e in own] == [(["丁", "丙", "乙", "甲"], 0)]


def test_communities_are_paginated() -> None:
    for n in range(25):
        VolunteerFactory(community=CommunityFactory(name=f"社区{n:02d}"))

    first = Client().get(URL)
    second = Client().get(URL, {"page": 2})

    assert [e.community.name for e in _entries(first)] == [f"社区{n:02d}" for n in range(20)]
    assert [e.community.name for e in _entries(second)] == [f"社区{n:02d}" for n in range(20, 25)]
    assert first.context["page"].paginator.num_pages == 2


def test_the_register_has_a_pinned_query_count(community: Community, django_assert_num_queries: object) -> None:
    VolunteerFactory(community=community, consenting=True)
    # The page's count, the communities with their figures, the names.
    with django_assert_num_queries(3):  # type: ignore[operator]
        Client().get(URL)
    for n in range(30):
        place = CommunityFactory()
        GroupFactory(community=place)
        for volunteer in VolunteerFactory.create_batch(2, community=place, consenting=n % 2 == 0):
            TimeDonationFactory(volunteer=volunteer, confirmed=True)
    with django_assert_num_queries(3):  # type: ignore[operator]
        response = Client().get(URL)
    assert len(_entries(response)) == 20
    with django_assert_num_queries(1):  # type: ignore[operator]
        Client().get(URL, {"c": "nowhere"})  # counted none: no page of communities to read, nor names
