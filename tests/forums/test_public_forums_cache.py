"""The public forums API answers from the cache until a commit changes what it reads (yicang.core.public_cache).

A list of one community (?community=) reads that community's topic; the other answers read every
forum and the ledger's reversals. Writes run inside `django_capture_on_commit_callbacks(execute=True)`,
which stands for their commit. The data a test starts from is committed the same way, so that what was
touched while building it is bumped before the first request, not together with the write under test.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from forums.models import Issue
from forums.services.grants import pay_grant
from forums.services.issues import support_issue
from tests.clients import asked_twice
from tests.factories import ResidentFactory
from tests.factories.forums import ForumFactory, IssueFactory, SupportFactory
from tests.forums.conftest import Place
from yicang.community.models import Community, Resident
from yicang.ledger.services import reverse_transaction

pytestmark = pytest.mark.django_db

OnCommit = Callable[..., AbstractContextManager[list[Callable[[], None]]]]

FORUMS = reverse("public-forum-list")
ISSUES = reverse("public-forum-issue-list")


def get(url: str) -> HttpResponse:
    """An anonymous request, in English."""
    response: HttpResponse = Client().get(url, HTTP_ACCEPT_LANGUAGE="en")
    return response


def detail(issue: Issue) -> str:
    return reverse("public-forum-issue-detail", args=[issue.pk])


def neighbour(place: Place) -> Resident:
    return ResidentFactory(community=place.community, household__community=place.community)


def common_issue(place: Place) -> Issue:
    """A common issue at a held forum with two supporters and a grant of 30,000 fen from the community fund."""
    issue = IssueFactory(community=place.community, common=True, title="想要一个共享菜园", text="楼下空地。")
    SupportFactory(issue=issue)
    SupportFactory(issue=issue)
    pay_grant(action=issue.action, amount_fen=30_000, purpose="种子和工具", by=place.manager)
    return issue


def rows(response: HttpResponse, *fields: str) -> list[tuple[object, ...]]:
    return [tuple(row[field] for field in fields) for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("what", "first_queries"),
    [
        ("forums", 1),  # the forums with their counts of common issues
        ("forums-of-one-community", 3),  # the community's id, the community, its forums
        ("issues", 1),  # the issues with their supporters and grants
        ("issues-of-one-community", 3),  # the community's id, the community, its issues
        ("one-issue", 4),  # the issue with its action, its changes, its progress, its standing grants
    ],
)
def test_a_repeated_request_is_answered_from_the_cache_without_a_query(
    place: Place,
    what: str,
    first_queries: int,
    django_capture_on_commit_callbacks: OnCommit,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    # Given a called forum and a common issue with its grant, committed
    with django_capture_on_commit_callbacks(execute=True):
        issue = common_issue(place)
        ForumFactory(community=place.community, called=True, title="夏季议事会")
    url = {
        "forums": FORUMS,
        "forums-of-one-community": FORUMS + "?community=shuijingfang",
        "issues": ISSUES,
        "issues-of-one-community": ISSUES + "?community=shuijingfang",
        "one-issue": detail(issue),
    }[what]

    # When the same answer is asked for twice, the second is the first, from the cache
    again = asked_twice(lambda: get(url), first_queries, django_assert_num_queries)

    # Then it says what it holds
    body = again.json()
    if what.startswith("forums"):
        assert rows(again, "title", "state", "common_issues") == [
            ("夏季议事会", "called", 0),
            (issue.forum.title, "held", 1),
        ]
    elif what.startswith("issues"):
        assert rows(again, "title", "supporters", "granted_fen") == [("想要一个共享菜园", 2, 30_000)]
    else:
        assert (body["title"], body["supporters"], body["granted_fen"]) == ("想要一个共享菜园", 2, 30_000)
        assert [(g["amount_fen"], g["purpose"]) for g in body["grants"]] == [(30_000, "种子和工具")]


def test_a_support_committed_shows_in_the_filtered_list_the_unfiltered_list_and_the_detail(
    place: Place, django_capture_on_commit_callbacks: OnCommit, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # Given a common issue with two supporters, committed, whose three answers are cached
    with django_capture_on_commit_callbacks(execute=True):
        issue = common_issue(place)
        resident = neighbour(place)
    urls = [ISSUES + "?community=shuijingfang", ISSUES, detail(issue)]
    assert [get(url).status_code for url in urls] == [200, 200, 200]
    assert rows(get(ISSUES), "supporters") == [(2,)]

    # When a resident supports it through the service, committed
    with django_capture_on_commit_callbacks(execute=True):
        support_issue(issue=issue, resident=resident)

    # Then each answer is computed anew and counts three supporters
    with django_assert_num_queries(2):  # the community's id is still cached
        filtered = get(urls[0])
    with django_assert_num_queries(1):
        unfiltered = get(urls[1])
    with django_assert_num_queries(4):
        one = get(urls[2])
    assert rows(filtered, "title", "supporters") == [("想要一个共享菜园", 3)]
    assert rows(unfiltered, "title", "supporters") == [("想要一个共享菜园", 3)]
    assert one.json()["supporters"] == 3


def test_a_support_in_another_community_leaves_this_communitys_list_cached(
    place: Place,
    other: Place,
    django_capture_on_commit_callbacks: OnCommit,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    # Given an issue in each community, committed, and both communities' lists cached
    with django_capture_on_commit_callbacks(execute=True):
        IssueFactory(community=place.community, title="路灯")
        theirs = IssueFactory(community=other.community, title="停车")
        resident = neighbour(other)
    mine_url, theirs_url = ISSUES + "?community=shuijingfang", ISSUES + "?community=jiaozi"
    mine = get(mine_url)
    assert rows(get(theirs_url), "title", "supporters") == [("停车", 0)]
    assert rows(get(ISSUES), "title", "supporters") == [("停车", 0), ("路灯", 0)]

    # When a resident of the other community supports its issue, committed
    with django_capture_on_commit_callbacks(execute=True):
        support_issue(issue=theirs, resident=resident)

    # Then this community's list still comes from the cache; the other's and the unfiltered one count the support
    with django_assert_num_queries(0):
        again = get(mine_url)
    assert again.content == mine.content
    assert rows(again, "title", "supporters") == [("路灯", 0)]
    assert rows(get(theirs_url), "title", "supporters") == [("停车", 1)]
    assert rows(get(ISSUES), "title", "supporters") == [("停车", 1), ("路灯", 0)]


def test_a_grant_reversed_in_the_ledger_drops_from_every_answer(
    place: Place, django_capture_on_commit_callbacks: OnCommit
) -> None:
    # Given a common issue with a grant of 30,000 fen, committed, whose answers are cached
    with django_capture_on_commit_callbacks(execute=True):
        issue = common_issue(place)
    grant = issue.action.grants.get()
    filtered_url = ISSUES + "?community=shuijingfang"
    assert rows(get(ISSUES), "granted_fen") == [(30_000,)]
    assert rows(get(filtered_url), "granted_fen") == [(30_000,)]
    assert get(detail(issue)).json()["granted_fen"] == 30_000

    # When the grant's payment is reversed in the ledger, committed (no forum row changes: only the book)
    with django_capture_on_commit_callbacks(execute=True):
        reverse_transaction(original=grant.payment, by=place.manager, reason="录错了")

    # Then no answer counts the grant any more
    assert rows(get(ISSUES), "title", "granted_fen") == [("想要一个共享菜园", 0)]
    assert rows(get(filtered_url), "title", "granted_fen") == [("想要一个共享菜园", 0)]
    body = get(detail(issue)).json()
    assert (body["granted_fen"], body["grants"]) == (0, [])


@pytest.mark.parametrize("url", [FORUMS, ISSUES])
def test_an_unknown_community_is_a_400_that_is_not_cached(
    url: str, django_capture_on_commit_callbacks: OnCommit, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # Given no community with the code "nowhere"
    # When a list of its forums or issues is asked for twice
    with django_assert_num_queries(2):  # the community's id, then the view's own look-up
        first = get(url + "?community=nowhere")
    with django_assert_num_queries(2):
        again = get(url + "?community=nowhere")

    # Then both are a 400 saying so, each computed anew
    assert (first.status_code, again.status_code) == (400, 400)
    assert again.json() == {"community": "No community has this code."}

    # And once the community exists, even written in bulk (which bumps no topic), the list is answered
    with django_capture_on_commit_callbacks(execute=True):
        Community.objects.bulk_create([Community(name="无处社区", code="nowhere")])
    found = get(url + "?community=nowhere")
    assert found.status_code == 200
    assert found.json()["results"] == []
