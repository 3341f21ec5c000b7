import pytest
from django.test import Client
from django.urls import reverse

from tests.clients import signed_in
from tests.community.conftest import Side
from tests.factories import CommunityFactory, HouseholdFactory, ResidentFactory
from yicang.community.models import User

pytestmark = pytest.mark.django_db


def test_staff_home_lists_own_communities_with_counts(side_a: Side, side_b: Side) -> None:
    ResidentFactory(household=side_a.household)

    response = signed_in(side_a.staff).get(reverse("community:staff-home"))

    assert response.status_code == 200
    [community] = response.context["page"]
    assert (community.name, community.household_count, community.resident_count) == ("水井坊社区", 1, 2)
    assert "交子社区" not in response.content.decode()


def test_another_communitys_page_is_not_found(side_a: Side, side_b: Side) -> None:
    response = signed_in(side_a.staff).get(reverse("community:staff-community", args=["jiaozi"]))

    assert response.status_code == 404


def test_community_page_searches_households(side_a: Side) -> None:
    HouseholdFactory(community=side_a.community, name="李家", address="黄伞巷3号")

    response = signed_in(side_a.staff).get(reverse("community:staff-community", args=["shuijingfang"]), {"q": "黄伞"})

    assert [h.name for h in response.context["page"]] == ["李家"]


def test_staff_pages_need_a_staff_login(side_a: Side) -> None:
    response = Client().get(reverse("community:staff-home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_pages_have_pinned_query_counts(side_a: Side, django_assert_num_queries: object) -> None:
    client = signed_in(side_a.staff)
    url = reverse("community:staff-community", args=["shuijingfang"])
    with django_assert_num_queries(5):  # type: ignore[operator]
        client.get(url)
    HouseholdFactory.create_batch(40, community=side_a.community)
    with django_assert_num_queries(5):  # type: ignore[operator]
        response = client.get(url)
    assert len(response.context["page"]) == 30
    with django_assert_num_queries(4):  # type: ignore[operator]
        client.get(reverse("community:staff-home"))


def test_national_staff_page_through_and_search_communities(national: User) -> None:
    CommunityFactory.create_batch(35)
    CommunityFactory(name="双槐树社区", street="双槐树街道")
    client = signed_in(national)

    first = client.get(reverse("community:staff-home"))
    found = client.get(reverse("community:staff-home"), {"q": "双槐"})

    assert (len(first.context["page"]), first.context["page"].paginator.num_pages) == (30, 2)
    assert [c.name for c in found.context["page"]] == ["双槐树社区"]
