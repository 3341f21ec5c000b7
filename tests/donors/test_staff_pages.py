import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.clients import signed_in
from tests.donors.conftest import Side, build_tree
from tests.factories import staff_of
from tests.factories.donors import CompassionFamilyFactory
from yicang.community.models import StaffMembership, User

pytestmark = pytest.mark.django_db


def _outline(html: str) -> list[str]:
    """The page's tree as nested-list tags and family names, to check the nesting the page sends."""
    cards = html[html.index('<ul class="cards"') :].split("</main>", 1)[0]
    return re.findall(r"</?ul|</?li|[\u4e00-\u9fff]+", cards)


def test_the_snowball_page_shows_each_opinion_leaders_tree(side_a: Side) -> None:
    build_tree(side_a.community)

    response = signed_in(side_a.staff).get(reverse("donors:snowball", args=["shuijingfang"]))

    assert response.status_code == 200
    assert [(root.name, root.size, root.depth) for root, _ in response.context["trees"]] == [
        ("王家", 5, 3),
        ("赵家", 1, 1),
    ]
    assert [(row.node.name, len(row.closes)) for row in response.context["trees"][0][1]] == [
        ("李家", 0),
        ("刘家", 0),
        ("杨家", 1),
        ("陈家", 1),
        ("张家", 0),
    ]
    assert response.context["on_their_own"] == 1


def test_the_snowball_page_nests_its_lists_properly(side_a: Side) -> None:
    build_tree(side_a.community)

    # In English, so that the only Chinese words on the page are the families' names.
    response = signed_in(side_a.staff).get(reverse("donors:snowball", args=["shuijingfang"]), HTTP_ACCEPT_LANGUAGE="en")

    tree = _outline(response.content.decode())
    # 王家's card, then its recruits nested to the depth of the tree, then 赵家's card.
    assert tree[: tree.index("赵家") - 1] == [
        "<ul",
        "<li", "王家", "<ul",
        "<li", "李家", "<ul",
        "<li", "刘家", "<ul",
        "<li", "杨家", "</li", "</ul", "</li",
        "<li", "陈家", "</li", "</ul", "</li",
        "<li", "张家", "</li",
        "</ul", "</li",
    ]  # fmt: skip
    assert tree.count("<ul") == tree.count("</ul")
    assert tree.count("<li") == tree.count("</li")


def test_another_communitys_snowball_is_not_found(side_a: Side, side_b: Side) -> None:
    build_tree(side_b.community, prefix="交子")

    response = signed_in(side_a.staff).get(reverse("donors:snowball", args=["jiaozi"]))

    assert response.status_code == 404
    assert "交子王家" not in response.content.decode()


def test_national_staff_see_any_communitys_snowball(side_b: Side, national: User) -> None:
    build_tree(side_b.community, prefix="交子")

    response = signed_in(national).get(reverse("donors:snowball", args=["jiaozi"]))

    assert [root.name for root, _ in response.context["trees"]] == ["交子王家", "交子赵家"]


def test_staff_without_the_permission_are_refused(side_a: Side) -> None:
    warehouse = staff_of(side_a.community, role=StaffMembership.Role.WAREHOUSE)

    response = signed_in(warehouse).get(reverse("donors:snowball", args=["shuijingfang"]))

    assert response.status_code == 403


def test_the_snowball_page_needs_a_staff_login(side_a: Side) -> None:
    response = Client().get(reverse("donors:snowball", args=["shuijingfang"]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_snowball_page_has_a_pinned_query_count(side_a: Side, django_assert_num_queries: object) -> None:
    client = signed_in(side_a.staff)
    url = reverse("donors:snowball", args=["shuijingfang"])
    CompassionFamilyFactory(community=side_a.community, opinion_leader=True)
    with django_assert_num_queries(6):  # type: ignore[operator]
        client.get(url)
    build_tree(side_a.community)
    for _ in range(3):
        leader = CompassionFamilyFactory(community=side_a.community, opinion_leader=True)
        for _ in range(10):
            leader = CompassionFamilyFactory(recruited_by=leader)
    with django_assert_num_queries(6):  # type: ignore[operator]
        response = client.get(url)
    assert [(root.size, root.depth) for root, _ in response.context["trees"]] == [
        (10, 10), (10, 10), (10, 10), (5, 3), (1, 1), (0, 0)
    ]  # fmt: skip
