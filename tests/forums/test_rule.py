"""The rule that earns trust: no new forum in a community while a common issue of its previous one is open.

Held by forums.services.forums.call_forum, which every way in goes through: the service itself, the admin
action, the API and the staff page.
"""

import re

import pytest
from django.urls import reverse

from forums.exceptions import ForumAlreadyCalled, IllegalTransition, NotAllowed, PreviousIssuesUnresolved
from forums.models import Forum, Issue
from forums.services.forums import call_forum
from forums.services.issues import close_not_possible, resolve_issue
from tests.clients import api, signed_in
from tests.factories.forums import ForumFactory, IssueFactory, days_from_now
from tests.forums.conftest import Place, english

pytestmark = pytest.mark.django_db

REFUSAL = (
    "The next forum of 水井坊社区 cannot be called until every common issue of its previous forum is resolved. "
    "Still open: 「楼道灯坏了」、「菜园」."
)


def _previous_with_open_issues(place: Place) -> tuple[Issue, Issue, Forum]:
    held = ForumFactory(community=place.community, held=True)
    lights = IssueFactory(community=place.community, forum=held, common=True, title="楼道灯坏了")
    garden = IssueFactory(community=place.community, forum=held, common=True, title="菜园")
    IssueFactory(community=place.community, forum=held, title="只是提出，未列为共同议题")
    return lights, garden, ForumFactory(community=place.community)


def test_calling_is_refused_naming_every_unresolved_common_issue(place: Place) -> None:
    _lights, _garden, following = _previous_with_open_issues(place)

    with pytest.raises(PreviousIssuesUnresolved) as refused:
        call_forum(forum=following, by=place.staff)

    assert str(refused.value.message) == REFUSAL
    assert refused.value.status == 409
    following.refresh_from_db()
    assert (following.state, following.called_at, following.called_by) == ("planned", None, None)


def test_calling_is_allowed_once_every_common_issue_ended_resolved_or_not_possible(place: Place) -> None:
    lights, garden, following = _previous_with_open_issues(place)
    resolve_issue(issue=lights, result="装好了十二盏灯。", by=place.staff)
    with pytest.raises(PreviousIssuesUnresolved, match=re.escape("Still open: 「菜园」.")):
        call_forum(forum=following, by=place.staff)

    close_not_possible(issue=garden, reason="规划用地，不能改作菜园。", by=place.staff)
    called = call_forum(forum=following, by=place.staff)

    assert (called.state, called.called_by) == ("called", place.staff)
    assert Forum.objects.get(pk=following.pk).state == "called"


def test_another_communitys_open_issues_do_not_hold_back_this_one(place: Place, other: Place) -> None:
    _previous_with_open_issues(other)
    forum = ForumFactory(community=place.community)

    assert call_forum(forum=forum, by=place.staff).state == "called"


def test_a_second_forum_is_not_called_while_one_is_called_and_not_held(place: Place) -> None:
    first = ForumFactory(community=place.community, called=True, title="春季")
    second = ForumFactory(community=place.community)

    with pytest.raises(ForumAlreadyCalled) as refused:
        call_forum(forum=second, by=place.staff)

    assert str(refused.value.message) == (
        f"春季 · {first.held_at:%Y-%m-%d} is already called; the next forum is called after it has been held."
    )
    assert Forum.objects.filter(state="called").count() == 1


def test_only_a_planned_forum_still_to_come_is_called_by_its_communitys_staff(place: Place, other: Place) -> None:
    held = ForumFactory(community=place.community, held=True)
    past = ForumFactory(community=place.community, held_at=days_from_now(-1))
    planned = ForumFactory(community=place.community)

    with pytest.raises(IllegalTransition, match="only a planned forum is called"):
        call_forum(forum=held, by=place.staff)
    with pytest.raises(Exception, match="is dated in the past; change its date first"):
        call_forum(forum=past, by=place.staff)
    with pytest.raises(NotAllowed, match=re.escape("Only staff of 水井坊社区 can call its forums.")):
        call_forum(forum=planned, by=other.manager)
    assert Forum.objects.get(pk=planned.pk).state == "planned"


def test_the_admin_action_is_refused_with_the_message(place: Place) -> None:
    _lights, _garden, following = _previous_with_open_issues(place)
    client = english(signed_in(place.staff))

    response = client.post(
        reverse("admin:forums_forum_changelist"),
        {"action": "call_selected", "_selected_action": [following.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [f"{following}: {REFUSAL}"]
    assert Forum.objects.get(pk=following.pk).state == "planned"


def test_the_admin_action_calls_when_the_rule_allows(place: Place) -> None:
    forum = ForumFactory(community=place.community)
    client = english(signed_in(place.staff))

    response = client.post(
        reverse("admin:forums_forum_changelist"),
        {"action": "call_selected", "_selected_action": [forum.pk]},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [f"{forum}: called."]
    assert Forum.objects.get(pk=forum.pk).state == "called"


def test_the_api_answers_409_with_the_message(place: Place) -> None:
    _lights, _garden, following = _previous_with_open_issues(place)

    response = api(place.staff).post(f"/api/v1/forums/{following.pk}/call/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 409
    assert response.json() == {"detail": REFUSAL, "code": "previous_issues_unresolved"}
    assert Forum.objects.get(pk=following.pk).state == "planned"


def test_the_api_calls_when_the_rule_allows(place: Place) -> None:
    forum = ForumFactory(community=place.community)

    response = api(place.staff).post(f"/api/v1/forums/{forum.pk}/call/")

    assert response.status_code == 200
    assert response.json()["state"] == "called"


def test_the_api_does_not_reach_another_communitys_forum(place: Place, other: Place) -> None:
    forum = ForumFactory(community=other.community)

    response = api(place.staff).post(f"/api/v1/forums/{forum.pk}/call/")

    assert response.status_code == 404
    assert Forum.objects.get(pk=forum.pk).state == "planned"


def test_the_staff_page_shows_the_refusal(place: Place) -> None:
    _lights, _garden, following = _previous_with_open_issues(place)
    client = english(signed_in(place.staff))

    response = client.post(reverse("forums:staff-call", args=[following.pk]), follow=True)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [REFUSAL]
    assert Forum.objects.get(pk=following.pk).state == "planned"


def test_the_staff_page_calls_when_the_rule_allows(place: Place) -> None:
    forum = ForumFactory(community=place.community)
    client = english(signed_in(place.staff))

    response = client.post(reverse("forums:staff-call", args=[forum.pk]), follow=True)

    assert [str(m) for m in response.context["messages"]] == [f"Called: {forum}."]
    assert Forum.objects.get(pk=forum.pk).state == "called"


def test_the_database_allows_one_called_forum_per_community(place: Place) -> None:
    from django.db import IntegrityError, transaction

    ForumFactory(community=place.community, called=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        ForumFactory(community=place.community, called=True)
