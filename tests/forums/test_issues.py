"""Residents raise and support issues; the forum marks common issues and follows them to their end."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from forums.exceptions import AlreadySupported, ForumError, IllegalTransition, NotLocal
from forums.models import Action, Issue, IssueChange, ProgressUpdate, Support
from forums.services.forums import hold_forum
from forums.services.issues import mark_common, raise_issue, record_progress, support_issue
from tests.clients import api, signed_in
from tests.factories.forums import ForumFactory, IssueFactory, days_from_now
from tests.forums.conftest import Place, english
from yicang.core.photos import InvalidPhoto

pytestmark = pytest.mark.django_db

CONTACT = (
    "what it is about: Leave out phone numbers, e-mail addresses, ID numbers and chat handles: "
    "this is shown in public. The centre puts people in touch."
)


def _photo(fmt: str = "JPEG", size: tuple[int, int] = (40, 30), exif: bool = False) -> SimpleUploadedFile:
    out = io.BytesIO()
    image = Image.new("RGB", size, "red")
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # Make
        image.save(out, format=fmt, exif=data.tobytes())
    else:
        image.save(out, format=fmt)
    return SimpleUploadedFile(f"p.{fmt.lower()}", out.getvalue(), content_type=f"image/{fmt.lower()}")


def test_a_resident_raises_an_issue_for_the_called_forum_and_supports_it(place: Place) -> None:
    called = ForumFactory(community=place.community, called=True)

    issue = raise_issue(resident=place.resident, kind="wish", title=" 共享菜园 ", text=" 一起种菜。 ")

    assert (issue.forum, issue.title, issue.text, issue.state, issue.raised_by) == (
        called,
        "共享菜园",
        "一起种菜。",
        "raised",
        place.resident,
    )
    assert list(Support.objects.values_list("issue_id", "resident_id")) == [(issue.pk, place.resident.pk)]
    assert list(IssueChange.objects.values_list("from_state", "to_state")) == [("", "raised")]


@pytest.mark.parametrize(
    ("title", "text", "message"),
    [
        ("", "正文", "in a few words: This field cannot be blank."),
        ("标题", "   ", "what it is about: This field cannot be blank."),
        ("标题", "长" * 1001, "what it is about: Ensure this value has at most 1000 characters (it has 1001)."),
        ("<b>标题</b>", "正文", "in a few words: Write plain text: HTML tags, entities and scripts are not accepted."),
        (
            "标题",
            "<script>alert(1)</script>",
            "what it is about: Write plain text: HTML tags, entities and scripts are not accepted.",
        ),
        (
            "标题",
            "请打电话 138 1234 5678",
            CONTACT,
        ),
        (
            "标题",
            "写信到 wang@example.org",
            CONTACT,
        ),
    ],
)
def test_bad_text_is_refused_with_a_clear_message_and_nothing_is_written(
    place: Place, title: str, text: str, message: str
) -> None:
    with pytest.raises(ForumError) as refused:
        raise_issue(resident=place.resident, kind="complaint", title=title, text=text)

    assert str(refused.value.message) == message
    assert refused.value.status == 400
    assert (Issue.objects.count(), Support.objects.count(), IssueChange.objects.count()) == (0, 0, 0)


def test_a_photo_is_kept_as_a_jpeg_without_its_metadata(place: Place, settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]

    issue = raise_issue(
        resident=place.resident, kind="complaint", title="灯", text="坏了", photo=_photo("PNG", exif=False)
    )
    with_exif = raise_issue(
        resident=place.resident, kind="complaint", title="灯2", text="坏了", photo=_photo(exif=True)
    )

    with Image.open(issue.photo.path) as kept:
        assert (kept.format, kept.size) == ("JPEG", (40, 30))
    with Image.open(with_exif.photo.path) as kept:
        assert dict(kept.getexif()) == {}


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg"),
            "This file is not a photo that can be opened.",
        ),
        (
            SimpleUploadedFile("x.jpg", b"\xff" * (5 * 1024 * 1024 + 1), content_type="image/jpeg"),
            "The photo is larger than 5 MB; take it again at a lower resolution.",
        ),
    ],
)
def test_a_bad_photo_is_refused_and_nothing_is_written(place: Place, upload: SimpleUploadedFile, message: str) -> None:
    with pytest.raises(InvalidPhoto, match=message):
        raise_issue(resident=place.resident, kind="complaint", title="灯", text="坏了", photo=upload)

    assert Issue.objects.count() == 0


def test_a_gif_is_refused(place: Place) -> None:
    with pytest.raises(InvalidPhoto, match=re.escape("Send a JPEG, PNG or WebP photo.")):
        raise_issue(resident=place.resident, kind="complaint", title="灯", text="坏了", photo=_photo("GIF"))


def test_a_resident_supports_an_issue_once(place: Place) -> None:
    issue = IssueFactory(community=place.community)
    support_issue(issue=issue, resident=place.resident)

    with pytest.raises(AlreadySupported) as refused:
        support_issue(issue=issue, resident=place.resident)

    assert (str(refused.value.message), refused.value.status) == ("You already support this issue.", 409)
    assert Support.objects.filter(issue=issue, resident=place.resident).count() == 1


def test_supporting_twice_on_the_page_shows_the_message_with_409(place: Place) -> None:
    issue = IssueFactory(community=place.community)
    client = english(signed_in(place.resident.user))  # type: ignore[arg-type]
    first = client.post(reverse("forums:support", args=[issue.pk]))

    second = client.post(reverse("forums:support", args=[issue.pk]))

    assert first.status_code == 302
    assert second.status_code == 409
    assert "You already support this issue." in second.content.decode()
    assert list(Support.objects.filter(issue=issue).values_list("resident_id", flat=True)) == [place.resident.pk]


def test_residents_of_another_community_and_ended_issues_take_no_support(place: Place, other: Place) -> None:
    issue = IssueFactory(community=place.community)
    ended = IssueFactory(community=place.community, common=True, state="resolved")

    with pytest.raises(NotLocal, match=re.escape("Only residents of the issue's community can support it.")):
        support_issue(issue=issue, resident=other.resident)
    with pytest.raises(IllegalTransition, match=re.escape("This issue has ended; it takes no more support.")):
        support_issue(issue=ended, resident=place.resident)


def test_the_forum_marks_a_common_issue_with_leads_and_progress(place: Place) -> None:
    forum = ForumFactory(community=place.community, called=True, held_at=days_from_now(-1))
    online = IssueFactory(community=place.community)  # raised online between forums
    hold_forum(forum=forum, attendance=41, minutes="讨论了三个议题。", by=place.staff)

    action = mark_common(issue=online, forum=forum, by=place.staff, plan="居民自己装灯。", leads=[place.resident])
    update = record_progress(action=action, step="building", text="装好了六盏。", by=place.staff)

    online.refresh_from_db()
    assert (online.state, online.forum) == ("common", forum)
    assert list(action.leads.all()) == [place.resident]
    assert (Action.objects.get().step, update.step, update.text) == ("building", "building", "装好了六盏。")
    assert list(IssueChange.objects.filter(issue=online).values_list("to_state", flat=True)) == ["raised", "common"]


def test_common_issues_are_marked_only_at_the_latest_held_forum_before_the_next_is_called(place: Place) -> None:
    held = ForumFactory(community=place.community, held=True)
    issue = IssueFactory(community=place.community, forum=held)
    ForumFactory(community=place.community, called=True)

    with pytest.raises(IllegalTransition, match="The next forum is already called"):
        mark_common(issue=issue, forum=held, by=place.staff)
    assert Issue.objects.get(pk=issue.pk).state == "raised"
    assert ProgressUpdate.objects.count() == 0


def test_the_api_records_an_issue_at_a_forum_and_refuses_markup_with_400(place: Place) -> None:
    forum = ForumFactory(community=place.community, called=True)
    client = api(place.staff)

    made = client.post(
        "/api/v1/forum-issues/", {"forum": forum.pk, "kind": "concern", "title": "电动车", "text": "楼道充电危险。"}
    )
    refused = client.post(
        "/api/v1/forum-issues/",
        {"forum": forum.pk, "kind": "concern", "title": "电动车", "text": "<img src=x onerror=alert(1)>"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert made.status_code == 201
    assert made.json()["state"] == "raised"
    assert made.json()["supporter_count"] == 0
    assert refused.status_code == 400
    assert refused.json() == {"text": ["Write plain text: HTML tags, entities and scripts are not accepted."]}
    assert Issue.objects.count() == 1


def test_the_api_marks_common_and_resolves_and_the_forum_closes(place: Place) -> None:
    forum = ForumFactory(community=place.community, held=True)
    issue = IssueFactory(community=place.community, forum=forum)
    client = api(place.staff)

    marked = client.post(
        f"/api/v1/forum-issues/{issue.pk}/mark-common/",
        {"plan": "一起装灯", "leads": [place.resident.pk]},
        format="json",
    )
    progress = client.post(f"/api/v1/forum-issues/{issue.pk}/progress/", {"step": "planning", "text": "统计坏灯。"})
    too_early = client.post(f"/api/v1/forums/{forum.pk}/close/", HTTP_ACCEPT_LANGUAGE="en")
    empty = client.post(f"/api/v1/forum-issues/{issue.pk}/resolve/", {"result": ""})
    resolved = client.post(f"/api/v1/forum-issues/{issue.pk}/resolve/", {"result": "灯都亮了。"})
    closed = client.post(f"/api/v1/forums/{forum.pk}/close/")

    assert (marked.status_code, marked.json()["state"]) == (200, "common")
    assert progress.status_code == 200
    assert too_early.status_code == 409
    assert too_early.json()["detail"] == f"{forum} still has common issues in progress: 「{issue.title}」."
    assert empty.status_code == 400
    assert (resolved.status_code, resolved.json()["state"]) == (200, "resolved")
    assert (closed.status_code, closed.json()["state"]) == (200, "closed")
    assert Action.objects.get().result == "灯都亮了。"


def test_the_photo_is_served_with_its_issue_and_never_from_the_media_folder(
    place: Place, settings: object, tmp_path: object
) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    issue = raise_issue(resident=place.resident, kind="complaint", title="灯", text="坏了", photo=_photo())
    bare = raise_issue(resident=place.resident, kind="complaint", title="路", text="坑")

    served = api().get(reverse("forums:issue-photo", args=[issue.pk]))
    page = api().get(reverse("forums:issue", args=[issue.pk])).content.decode()

    assert (served.status_code, served["Content-Type"]) == (200, "image/jpeg")
    assert b"".join(served.streaming_content).startswith(b"\xff\xd8")  # type: ignore[attr-defined]
    assert f'src="{reverse("forums:issue-photo", args=[issue.pk])}"' in page
    assert issue.photo.url not in page
    assert api().get(reverse("forums:issue-photo", args=[bare.pk])).status_code == 404
    assert api().get(reverse("forums:issue-photo", args=[bare.pk + 100])).status_code == 404


def test_minutes_that_give_a_phone_number_are_refused_and_the_forum_stays_called(place: Place) -> None:
    forum = ForumFactory(community=place.community, called=True, held_at=days_from_now(-1))

    with pytest.raises(ForumError, match="Leave out phone numbers, e-mail addresses, ID numbers and chat handles"):
        hold_forum(forum=forum, attendance=30, minutes="有事请找王阿姨 13812345678。", by=place.staff)

    forum.refresh_from_db()
    assert (forum.state, forum.minutes) == ("called", "")
