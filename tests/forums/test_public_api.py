from django.urls import reverse

from forums.models import Forum, Issue
from forums.services.grants import pay_grant
from forums.services.issues import record_progress
from tests.clients import api
from tests.factories.forums import ForumFactory, IssueFactory, SupportFactory
from tests.forums.conftest import Place, make_place


def _common_issue(place: Place) -> Issue:
    issue = IssueFactory(community=place.community, common=True, title="想要一个共享菜园", text="楼下空地。")
    SupportFactory(issue=issue)
    SupportFactory(issue=issue)
    record_progress(action=issue.action, step="planning", text="画了图纸", by=place.manager)
    pay_grant(action=issue.action, amount_fen=30_000, purpose="种子和工具", by=place.manager)
    return issue


def test_the_public_sees_forums_called_or_held_and_never_a_draft(
    place: Place, django_assert_max_num_queries: object
) -> None:
    held = ForumFactory(community=place.community, held=True, title="春季议事会")
    called = ForumFactory(community=place.community, called=True, title="夏季议事会")
    ForumFactory(community=place.community, title="草稿")
    IssueFactory(community=place.community, common=True, forum=held)
    ForumFactory(community=make_place("交子社区", "jiaozi").community, called=True, title="交子议事会")

    with django_assert_max_num_queries(3):  # type: ignore[operator]
        response = api().get(reverse("public-forum-list"), {"community": "shuijingfang"})

    rows = response.json()["results"]
    assert [(r["title"], r["state"], r["common_issues"]) for r in rows] == [
        ("夏季议事会", Forum.State.CALLED, 0),
        ("春季议事会", Forum.State.HELD, 1),
    ]
    assert rows[1]["attendance"] == 30
    assert called.pk == rows[0]["id"]
    assert api().get(reverse("public-forum-list"), {"community": "nowhere"}).status_code == 400


def test_an_issue_shows_its_state_supporters_grants_and_timeline_and_nobody(
    place: Place, django_assert_max_num_queries: object
) -> None:
    issue = _common_issue(place)
    IssueFactory(community=place.community, title="路灯")

    with django_assert_max_num_queries(3):  # type: ignore[operator]
        listed = api().get(reverse("public-forum-issue-list"), {"community": "shuijingfang", "state": "common"})
    detail = api().get(reverse("public-forum-issue-detail", args=[issue.pk]), HTTP_ACCEPT_LANGUAGE="en")

    assert [(r["title"], r["supporters"], r["granted_fen"]) for r in listed.json()["results"]] == [
        ("想要一个共享菜园", 2, 30_000)
    ]
    body = detail.json()
    assert [(t["kind"], t["what"], t["text"]) for t in body["timeline"]] == [
        ("change", "raised", ""),
        ("change", "common issue, in progress", ""),
        ("progress", "co-planning", "画了图纸"),
    ]
    assert [(g["amount_fen"], g["purpose"]) for g in body["grants"]] == [(30_000, "种子和工具")]
    page = detail.content.decode()
    assert issue.raised_by.name not in page
    assert issue.raised_by.household.name not in page
    assert "raised_by" not in body
    assert api().get(reverse("public-forum-issue-list"), {"state": "bogus"}).status_code == 400
