"""The centre's surfaces: staff pages, admin changelists and API lists; scoped, and with pinned query counts."""

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from forums.models import Forum, Issue, Notification
from forums.services.board import offer_help
from forums.services.grants import pay_grant
from tests.clients import api, signed_in
from tests.factories import UserFactory
from tests.factories.forums import ForumFactory, HelpRequestFactory, IssueFactory, SupportFactory, days_from_now
from tests.factories.volunteers import VolunteerFactory
from tests.forums.conftest import Place, english

pytestmark = pytest.mark.django_db


def _fill(place: Place, rows: int) -> None:
    for n in range(rows):
        forum = ForumFactory(community=place.community, held=True, title=f"论坛{n}")
        issue = IssueFactory(community=place.community, forum=forum, common=True)
        SupportFactory(issue=issue)
        Notification.objects.create(community=place.community, user=place.resident.user, change=issue.changes.last())
        pay_grant(action=issue.action, amount_fen=100, purpose="买灯", by=place.manager)
        help_request = HelpRequestFactory(community=place.community)
        offer_help(help_request=help_request, volunteer=VolunteerFactory(community=place.community), message="我来")


def test_staff_plan_a_forum_on_the_page_with_the_communitys_rules(place: Place) -> None:
    from forums.models import DiscussionRules

    DiscussionRules.objects.create(community=place.community, text="我们的规则：轮流发言。")
    client = english(signed_in(place.staff))
    when = days_from_now(10).strftime("%Y-%m-%dT%H:%M")

    response = client.post(
        reverse("forums:staff-community", args=[place.community.code]),
        {"title": "秋季议事会", "held_at": when, "place": "活动室", "agenda": "议题"},
    )
    past = client.post(
        reverse("forums:staff-community", args=[place.community.code]),
        {"title": "过去", "held_at": days_from_now(-2).strftime("%Y-%m-%dT%H:%M"), "place": "活动室"},
    )

    forum = Forum.objects.get()
    assert response.status_code == 302
    assert (forum.title, forum.state, forum.rules) == ("秋季议事会", "planned", "我们的规则：轮流发言。")
    assert past.status_code == 400
    assert past.context["form"].errors == {"held_at": ["A forum is planned for a time still to come."]}


def test_staff_record_a_held_forum_and_mark_a_common_issue_on_the_page(place: Place) -> None:
    forum = ForumFactory(community=place.community, called=True, held_at=days_from_now(-1))
    issue = IssueFactory(community=place.community, forum=forum)
    client = english(signed_in(place.staff))

    bad = client.post(reverse("forums:staff-hold", args=[forum.pk]), {"attendance": "-3", "minutes": ""})
    held = client.post(reverse("forums:staff-hold", args=[forum.pk]), {"attendance": "38", "minutes": "讨论热烈。"})
    marked = client.post(
        reverse("forums:staff-mark-common", args=[forum.pk, issue.pk]), {"plan": "一起修"}, follow=True
    )

    assert bad.status_code == 400
    assert held.status_code == 302
    forum.refresh_from_db()
    assert (forum.state, forum.attendance, forum.minutes) == ("held", 38, "讨论热烈。")
    assert [str(m) for m in marked.context["messages"]] == ["Recorded as held.", f"Marked as a common issue: {issue}."]
    assert Issue.objects.get(pk=issue.pk).state == "common"


def test_staff_pages_do_not_reach_another_community(place: Place, other: Place) -> None:
    forum = ForumFactory(community=other.community)
    issue = IssueFactory(community=other.community, common=True)
    client = signed_in(place.staff)

    assert client.get(reverse("forums:staff-community", args=[other.community.code])).status_code == 404
    assert client.get(reverse("forums:staff-forum", args=[forum.pk])).status_code == 404
    assert (
        client.post(reverse("forums:staff-issue", args=[issue.pk]), {"do": "resolve", "text": "x"}).status_code == 404
    )
    assert Issue.objects.get(pk=issue.pk).state == "common"


@pytest.mark.parametrize("rows", [2, 12])
def test_staff_list_pages_have_pinned_query_counts(
    place: Place, rows: int, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    _fill(place, rows)
    client = signed_in(place.manager)

    # Session, user, community, permission checks, the page's count and rows (offers in one more query).
    with django_assert_max_num_queries(8):
        assert client.get(reverse("forums:staff-community", args=[place.community.code])).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("forums:staff-moderation", args=[place.community.code])).status_code == 200


@pytest.mark.parametrize("rows", [2, 12])
def test_admin_changelists_have_pinned_query_counts(
    place: Place, rows: int, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    national = UserFactory(national=True, is_superuser=True)
    _fill(place, rows)
    client = signed_in(place.manager)

    pinned = {"forum": 9, "issue": 7, "action": 7, "grant": 7, "helprequest": 7, "helpoffer": 7, "discussionrules": 6}
    for model, most in pinned.items():
        with django_assert_max_num_queries(most):
            assert client.get(reverse(f"admin:forums_{model}_changelist")).status_code == 200, model
    national_client = signed_in(national)
    with django_assert_max_num_queries(7):
        assert national_client.get(reverse("admin:forums_notification_changelist")).status_code == 200


@pytest.mark.parametrize("rows", [2, 12])
def test_api_lists_have_pinned_query_counts(
    place: Place, rows: int, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    _fill(place, rows)
    client = api(place.manager)

    for url, count in [("/api/v1/forums/", rows), ("/api/v1/forum-issues/", rows), ("/api/v1/help-requests/", rows)]:
        with django_assert_max_num_queries(6):
            response = client.get(url)
        assert (response.status_code, response.json()["count"]) == (200, count), url


def test_api_lists_are_scoped_and_carry_no_names(place: Place, other: Place) -> None:
    IssueFactory(community=other.community)
    mine = IssueFactory(community=place.community, raised_by=place.resident)
    HelpRequestFactory(community=place.community, resident=place.resident)

    issues = api(place.staff).get("/api/v1/forum-issues/").json()
    requests = api(place.staff).get("/api/v1/help-requests/").json()

    assert [row["id"] for row in issues["results"]] == [mine.pk]
    assert place.resident.name not in str(issues) + str(requests)


def test_the_api_plans_a_forum_and_refuses_bad_input_with_400(place: Place, other: Place) -> None:
    client = api(place.staff)
    when = days_from_now(9).isoformat()

    made = client.post(
        "/api/v1/forums/", {"community": place.community.pk, "title": "议事会", "held_at": when, "place": "活动室"}
    )
    foreign = client.post(
        "/api/v1/forums/", {"community": other.community.pk, "title": "x", "held_at": when, "place": "y"}
    )
    past = client.post(
        "/api/v1/forums/",
        {"community": place.community.pk, "title": "x", "held_at": days_from_now(-9).isoformat(), "place": "y"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    empty = client.post(
        "/api/v1/forums/", {"community": place.community.pk, "title": "", "held_at": when, "place": "y"}
    )

    assert (made.status_code, made.json()["state"]) == (201, "planned")
    assert made.json()["rules"].startswith("1. 每人发言不超过三分钟")
    assert foreign.status_code == 400
    assert (past.status_code, past.json()["detail"]) == (400, "A forum is planned for a time still to come.")
    assert empty.status_code == 400
    assert Forum.objects.count() == 1


def test_the_api_changes_details_before_a_forum_is_held_and_not_after(place: Place) -> None:
    planned = ForumFactory(community=place.community)
    held = ForumFactory(community=place.community, held=True)
    client = api(place.staff)

    moved = client.patch(f"/api/v1/forums/{planned.pk}/", {"place": "新活动室"}, format="json")
    refused = client.patch(
        f"/api/v1/forums/{held.pk}/", {"place": "新活动室"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    minutes = client.patch(f"/api/v1/forums/{held.pk}/", {"minutes": "补充纪要。"}, format="json")

    assert (moved.status_code, moved.json()["place"]) == (200, "新活动室")
    assert (refused.status_code, refused.json()["detail"]) == (409, "A held forum's place cannot be changed.")
    assert (minutes.status_code, minutes.json()["minutes"]) == (200, "补充纪要。")
