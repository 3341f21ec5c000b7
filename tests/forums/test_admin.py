"""The admin's forum pages go through the services: planning, marking, ending and grants."""

import pytest
from django.urls import reverse

from forums.models import Action, Forum, Grant, Issue
from forums.services.grants import pay_grant
from tests.clients import signed_in
from tests.factories.forums import ForumFactory, IssueFactory, days_from_now
from tests.forums.conftest import Place, english
from yicang.ledger.models import Transaction

pytestmark = pytest.mark.django_db


def test_a_forum_added_in_the_admin_is_planned_with_the_default_rules(place: Place) -> None:
    client = english(signed_in(place.staff))
    when = days_from_now(5)

    response = client.post(
        reverse("admin:forums_forum_add"),
        {
            "community": place.community.pk,
            "title": "议事会",
            "held_at_0": when.strftime("%Y-%m-%d"),
            "held_at_1": when.strftime("%H:%M:%S"),
            "place": "活动室",
            "agenda": "",
            "rules": "",
            "issues-TOTAL_FORMS": "0",
            "issues-INITIAL_FORMS": "0",
        },
    )

    forum = Forum.objects.get()
    assert response.status_code == 302
    assert (forum.state, forum.title) == ("planned", "议事会")
    assert forum.rules.startswith("1. 每人发言不超过三分钟")


def test_a_past_date_or_markup_is_a_form_error_in_the_admin(place: Place) -> None:
    client = english(signed_in(place.staff))
    when = days_from_now(-5)

    response = client.post(
        reverse("admin:forums_forum_add"),
        {
            "community": place.community.pk,
            "title": "<i>议事会</i>",
            "held_at_0": when.strftime("%Y-%m-%d"),
            "held_at_1": when.strftime("%H:%M:%S"),
            "place": "活动室",
            "issues-TOTAL_FORMS": "0",
            "issues-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "title": ["Write plain text: HTML tags, entities and scripts are not accepted."],
        "held_at": ["A forum is planned for a time still to come."],
    }
    assert Forum.objects.count() == 0


def test_admin_actions_mark_common_then_resolve_with_the_result_asked_for(place: Place) -> None:
    forum = ForumFactory(community=place.community, held=True)
    issue = IssueFactory(community=place.community, forum=forum, title="路灯")
    client = english(signed_in(place.staff))
    changelist = reverse("admin:forums_issue_changelist")

    marked = client.post(changelist, {"action": "mark_common_selected", "_selected_action": [issue.pk]}, follow=True)
    prompt = client.post(changelist, {"action": "resolve_selected", "_selected_action": [issue.pk]})
    resolved = client.post(
        changelist,
        {"action": "resolve_selected", "_selected_action": [issue.pk], "apply": "1", "reason": "路灯修好了。"},
        follow=True,
    )

    assert [str(m) for m in marked.context["messages"]] == ["路灯: marked common."]
    assert prompt.status_code == 200
    assert "What was the result?" in prompt.content.decode()
    assert [str(m) for m in resolved.context["messages"]] == ["路灯: resolved."]
    assert Issue.objects.get(pk=issue.pk).state == "resolved"
    assert Action.objects.get(issue=issue).result == "路灯修好了。"


def test_resolving_a_raised_issue_in_the_admin_is_a_message_not_an_error_page(place: Place) -> None:
    issue = IssueFactory(community=place.community, title="路灯")
    client = english(signed_in(place.staff))

    response = client.post(
        reverse("admin:forums_issue_changelist"),
        {"action": "resolve_selected", "_selected_action": [issue.pk], "apply": "1", "reason": "好了"},
        follow=True,
    )

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["路灯: 路灯 is raised; it cannot become resolved."]


def test_a_grant_added_in_the_admin_is_paid_and_reversed_by_the_action(place: Place) -> None:
    issue = IssueFactory(community=place.community, common=True, title="路灯")
    client = english(signed_in(place.manager))

    added = client.post(
        reverse("admin:forums_grant_add"), {"action": issue.action.pk, "amount_fen": 40_000, "purpose": "买灯"}
    )
    grant = Grant.objects.get()
    reversed_ = client.post(
        reverse("admin:forums_grant_changelist"),
        {"action": "reverse_selected", "_selected_action": [grant.pk], "apply": "1", "reason": "重复"},
        follow=True,
    )

    place.fund.refresh_from_db()
    assert added.status_code == 302
    assert (grant.amount_fen, grant.paid_by) == (40_000, place.manager)
    assert [str(m) for m in reversed_.context["messages"]] == [
        f"The small grant “{grant}” was added successfully.",
        f"{grant}: reversed.",
    ]
    assert Transaction.objects.filter(reverses=grant.payment).count() == 1
    assert place.fund.shown_balance == 100_000


def test_centre_staff_see_no_grant_add_page(place: Place) -> None:
    issue = IssueFactory(community=place.community, common=True)
    pay_grant(action=issue.action, amount_fen=100, purpose="x", by=place.manager)

    assert signed_in(place.staff).get(reverse("admin:forums_grant_add")).status_code == 403
    assert signed_in(place.staff).get(reverse("admin:forums_grant_changelist")).status_code == 200
