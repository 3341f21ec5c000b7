"""Supporters hear when an issue they support changes state: in the portal inbox, and by e-mail if they gave one."""

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from forums.models import IssueChange, Notification
from forums.services.issues import resolve_issue, support_issue
from forums.tasks import notify_supporters
from tests.clients import signed_in
from tests.factories import ResidentFactory, UserFactory
from tests.factories.forums import IssueFactory
from tests.forums.conftest import Place, english

pytestmark = pytest.mark.django_db


def _supported_common_issue(place: Place) -> tuple[Any, Any, Any]:
    issue = IssueFactory(community=place.community, common=True, title="楼道灯")
    support_issue(issue=issue, resident=place.resident)  # has an account with an e-mail address
    quiet = ResidentFactory(household__community=place.community, user=UserFactory(email=""))
    support_issue(issue=issue, resident=quiet)
    support_issue(issue=issue, resident=ResidentFactory(household__community=place.community))  # no account
    return issue, quiet, place.resident


def test_resolving_tells_every_supporter_with_an_account_and_emails_those_with_an_address(
    place: Place, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    issue, quiet, loud = _supported_common_issue(place)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        resolve_issue(issue=issue, result="灯都亮了。", by=place.staff)

    change = IssueChange.objects.get(issue=issue, to_state="resolved")
    tasks = [callback for callback in callbacks if isinstance(callback, partial)]  # the rest bump public answers
    assert len(tasks) == 1
    assert sorted(Notification.objects.values_list("user_id", "change_id")) == sorted(
        [(loud.user_id, change.pk), (quiet.user_id, change.pk)]
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["shuijingfang@example.org"], "Yicang forum: 楼道灯 is now resolved")
    ]
    assert "灯都亮了。" in mail.outbox[0].body
    assert f"/forums/issues/{issue.pk}/" in mail.outbox[0].body
    sent = Notification.objects.get(user=loud.user)
    assert sent.emailed_to == "shuijingfang@example.org"
    assert sent.emailed_at is not None
    assert Notification.objects.get(user=quiet.user).emailed_at is None


def test_the_task_is_safe_to_run_twice(place: Place, django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    issue, _quiet, _loud = _supported_common_issue(place)
    with django_capture_on_commit_callbacks(execute=True):
        resolve_issue(issue=issue, result="灯都亮了。", by=place.staff)
    change = IssueChange.objects.get(issue=issue, to_state="resolved")

    again = notify_supporters.delay(change_id=change.pk).get()

    assert again == 0
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 1


def test_a_refused_change_queues_nothing(place: Place, django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    issue = IssueFactory(community=place.community)  # raised, not common: it cannot be resolved

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Exception, match="cannot become"):
        resolve_issue(issue=issue, result="x", by=place.staff)

    assert callbacks == []
    assert (Notification.objects.count(), len(mail.outbox)) == (0, 0)


def test_the_inbox_shows_the_change_and_marks_it_read(
    place: Place, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    issue, _quiet, loud = _supported_common_issue(place)
    with django_capture_on_commit_callbacks(execute=True):
        resolve_issue(issue=issue, result="灯都亮了。", by=place.staff)
    client = english(signed_in(loud.user))

    first = client.get(reverse("forums:inbox"))
    second = client.get(reverse("forums:inbox"))

    assert first.status_code == 200
    assert "“楼道灯” is now: resolved" in first.content.decode()
    assert first.context["unread"] == {Notification.objects.get(user=loud.user).pk}
    assert second.context["unread"] == set()
    assert Notification.objects.get(user=loud.user).read_at is not None


def test_nobody_reads_anothers_inbox(place: Place, django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    issue, _quiet, _loud = _supported_common_issue(place)
    with django_capture_on_commit_callbacks(execute=True):
        resolve_issue(issue=issue, result="好了。", by=place.staff)
    stranger = UserFactory()

    response = english(signed_in(stranger)).get(reverse("forums:inbox"))

    assert list(response.context["page"].object_list) == []
