"""The public pages: upcoming forums, issues with their timeline, results and grants, the help board.

All user text is escaped; nobody's name or contact data appears (issues and requests are shown by what
they say, lead residents are counted, not named); each list page has a pinned number of queries.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from forums.models import Forum, Issue, Notification
from forums.services.grants import pay_grant
from forums.services.issues import record_progress, resolve_issue
from tests.clients import signed_in
from tests.factories.forums import ForumFactory, HelpRequestFactory, IssueFactory, SupportFactory
from tests.forums.conftest import Place, english

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"


def _page(url: str, client: Client | None = None) -> str:
    response = english(client or Client()).get(url)
    assert response.status_code == 200
    return response.content.decode()


def _hostile(place: Place) -> tuple[Forum, Issue]:
    """Rows whose text slipped past the services (written straight to the database): pages must still escape."""
    forum = ForumFactory(community=place.community, called=True, title=f"论坛{SCRIPT}", rules=f"规则{SCRIPT}")
    issue = IssueFactory(community=place.community, forum=forum, title=f"标题{SCRIPT}", text=f"正文{SCRIPT}")
    HelpRequestFactory(community=place.community, title=f"求助{SCRIPT}", text=f"详情{SCRIPT}")
    return forum, issue


def test_every_public_page_escapes_user_text(place: Place) -> None:
    forum, issue = _hostile(place)
    help_request = forum.community.helprequests.get()

    for url in [
        reverse("forums:index"),
        reverse("forums:forum", args=[forum.pk]),
        reverse("forums:issues"),
        reverse("forums:issue", args=[issue.pk]),
        reverse("forums:board"),
        reverse("forums:help", args=[help_request.pk]),
    ]:
        page = _page(url)
        assert SCRIPT not in page, url
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page, url


def test_public_pages_name_nobody_and_show_no_contact_data(place: Place) -> None:
    held = ForumFactory(community=place.community, held=True)
    issue = IssueFactory(community=place.community, forum=held, common=True, raised_by=place.resident)
    issue.action.leads.set([place.resident])
    HelpRequestFactory(community=place.community, resident=place.resident)

    pages = "".join(
        _page(url)
        for url in [
            reverse("forums:index"),
            reverse("forums:issues"),
            reverse("forums:issue", args=[issue.pk]),
            reverse("forums:results"),
            reverse("forums:board"),
        ]
    )

    assert place.resident.name not in pages
    assert place.resident.household.name not in pages  # type: ignore[union-attr]
    assert place.resident.household.address not in pages  # type: ignore[union-attr]
    assert "shuijingfang@example.org" not in pages
    assert "Led by" in pages


def test_upcoming_forums_are_the_called_ones_still_to_come(place: Place, other: Place) -> None:
    soon = ForumFactory(community=place.community, called=True, title="下周的论坛")
    ForumFactory(community=place.community, title="还只是计划")
    there = ForumFactory(community=other.community, called=True, title="交子的论坛")

    everyone = Client().get(reverse("forums:index"))
    resident = english(signed_in(place.resident.user)).get(reverse("forums:index"))  # type: ignore[arg-type]

    assert everyone.context["upcoming"] == [soon, there]
    assert resident.context["upcoming"] == [soon]
    assert Client().get(reverse("forums:forum", args=[ForumFactory(community=place.community).pk])).status_code == 404


def test_the_issue_page_shows_state_progress_timeline_result_and_grant(place: Place) -> None:
    issue = IssueFactory(community=place.community, common=True, title="楼道灯")
    record_progress(action=issue.action, step="planning", text="统计坏灯。", by=place.staff)
    pay_grant(action=issue.action, amount_fen=80_000, purpose="买灯", by=place.manager)
    resolve_issue(issue=issue, result="十二盏灯都亮了。", by=place.staff)

    response = english(Client()).get(reverse("forums:issue", args=[issue.pk]))

    assert [(e.kind, e.label, e.text) for e in response.context["timeline"]] == [
        ("change", "raised", ""),
        ("change", "common issue, in progress", ""),
        ("progress", "co-planning", "统计坏灯。"),
        ("change", "resolved", "十二盏灯都亮了。"),
    ]
    page = response.content.decode()
    assert "¥800.00" in page
    assert "十二盏灯都亮了。" in page


def test_the_results_page_lists_ended_issues_and_standing_grants(place: Place) -> None:
    issue = IssueFactory(community=place.community, common=True, title="楼道灯")
    pay_grant(action=issue.action, amount_fen=80_000, purpose="买灯", by=place.manager)
    resolve_issue(issue=issue, result="亮了。", by=place.staff)
    IssueFactory(community=place.community, common=True, title="还在进行")

    response = english(Client()).get(reverse("forums:results"))

    assert [i.title for i in response.context["page"].object_list] == ["楼道灯"]
    assert response.context["granted_total"] == 80_000
    assert [(g.amount_fen, g.purpose) for g in response.context["grants"]] == [(80_000, "买灯")]


def test_the_issue_list_filters_by_state_and_counts_supporters(place: Place) -> None:
    common = IssueFactory(community=place.community, common=True)
    raised = IssueFactory(community=place.community)
    SupportFactory(issue=raised)
    SupportFactory(issue=raised)

    response = english(Client()).get(reverse("forums:issues"), {"state": "raised"})

    assert [(i.pk, i.supporter_count) for i in response.context["page"].object_list] == [(raised.pk, 2)]
    assert common.pk not in [i.pk for i in response.context["page"].object_list]


def test_a_visitor_is_sent_to_sign_in_and_an_unlinked_account_is_told_why(place: Place) -> None:
    from tests.factories import UserFactory

    visitor = Client().get(reverse("forums:raise"))
    unlinked = english(signed_in(UserFactory())).get(reverse("forums:raise"))

    assert visitor.status_code == 302
    assert unlinked.status_code == 403
    assert "not linked to a resident" in unlinked.content.decode()


def test_raising_on_the_page_with_markup_is_a_form_error(place: Place) -> None:
    client = english(signed_in(place.resident.user))  # type: ignore[arg-type]

    response = client.post(reverse("forums:raise"), {"kind": "wish", "title": "菜园", "text": "<b>种菜</b>"})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "text": ["Write plain text: HTML tags, entities and scripts are not accepted."]
    }
    assert Issue.objects.count() == 0


@pytest.mark.parametrize("rows", [2, 12])
def test_public_list_pages_have_pinned_query_counts(
    place: Place, rows: int, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    for n in range(rows):
        forum = ForumFactory(community=place.community, held=True, title=f"论坛{n}")
        issue = IssueFactory(community=place.community, forum=forum, common=True, state="resolved")
        SupportFactory(issue=issue)
        Notification.objects.create(
            community=place.community, user=place.resident.user, change=issue.changes.order_by("pk").last()
        )
        HelpRequestFactory(community=place.community)
    ForumFactory(community=place.community, called=True)
    resident = english(signed_in(place.resident.user))  # type: ignore[arg-type]

    # Session, user, resident, then the page's own reads: none grows with the rows.
    for url, most in [
        (reverse("forums:index"), 5),
        (reverse("forums:issues"), 6),
        (reverse("forums:results"), 7),
        (reverse("forums:board"), 5),
    ]:
        with django_assert_max_num_queries(most):
            assert resident.get(url).status_code == 200
    # The inbox: session, user, count, page, and marking the page's unread lines read.
    with django_assert_max_num_queries(5):
        assert resident.get(reverse("forums:inbox")).status_code == 200
