"""Staff calling forums at the same moment: the community's row lock decides, on PostgreSQL."""

import pytest
from django.db import connection

from forums.exceptions import ForumAlreadyCalled
from forums.models import Forum, Grant, Issue
from forums.services.forums import call_forum
from forums.services.grants import pay_grant
from forums.services.issues import resolve_issue
from tests.concurrency import race
from tests.factories.forums import ForumFactory, IssueFactory
from tests.forums.conftest import make_place

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres")]

RACERS = 24


def test_twenty_four_staff_calling_forums_at_once_call_exactly_one() -> None:
    place = make_place("水井坊社区", "shuijingfang")
    forums = [ForumFactory(community=place.community, title=f"论坛{n}") for n in range(RACERS)]

    results = race([lambda f=f: call_forum(forum=f, by=place.staff) for f in forums])

    assert connection.vendor == "postgresql"
    assert len(results) == RACERS
    assert sorted(type(r).__name__ for r in results) == ["Forum"] + ["ForumAlreadyCalled"] * (RACERS - 1)
    assert Forum.objects.filter(state="called").count() == 1
    assert all(isinstance(r, ForumAlreadyCalled) and r.status == 409 for r in results if not isinstance(r, Forum))


def test_calls_racing_the_resolution_of_the_last_open_issue_never_slip_past_the_rule() -> None:
    place = make_place("水井坊社区", "shuijingfang")
    held = ForumFactory(community=place.community, held=True)
    issue = IssueFactory(community=place.community, forum=held, common=True, title="楼道灯")
    forums = [ForumFactory(community=place.community, title=f"论坛{n}") for n in range(RACERS)]
    work = [lambda f=f: call_forum(forum=f, by=place.staff) for f in forums]
    work.append(lambda: resolve_issue(issue=issue, result="修好了。", by=place.staff))

    results = race(work)

    kinds = sorted(type(r).__name__ for r in results)
    assert kinds.count("Issue") == 1
    assert set(kinds) <= {"Issue", "Forum", "ForumAlreadyCalled", "PreviousIssuesUnresolved"}
    assert kinds.count("Forum") == Forum.objects.filter(state="called").count() <= 1
    # A forum called at all was called after the resolution committed; the refusals came before it.
    assert Issue.objects.get(pk=issue.pk).state == "resolved"


def test_two_managers_paying_a_grant_at_once_pay_it_once() -> None:
    place = make_place("水井坊社区", "shuijingfang", fund_fen=100_000)
    issue = IssueFactory(community=place.community, common=True)

    results = race([lambda: pay_grant(action=issue.action, amount_fen=60_000, purpose="买灯", by=place.manager)] * 2)

    assert sorted(type(r).__name__ for r in results) == ["Grant", "GrantAlreadyPaid"]
    assert Grant.objects.count() == 1
    place.fund.refresh_from_db()
    assert place.fund.shown_balance == 40_000
