"""The help board: residents ask, volunteers offer, staff moderate; no name or contact data in public."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from forums.exceptions import AlreadyOffered, ForumError, NotAllowed
from forums.models import HelpOffer, HelpRequest
from forums.services.board import ask_for_help, hide_help_request, offer_help
from tests.clients import api, signed_in
from tests.factories import UserFactory
from tests.factories.forums import HelpRequestFactory
from tests.factories.volunteers import VolunteerFactory
from tests.forums.conftest import Place, english

pytestmark = pytest.mark.django_db


def test_a_resident_asks_and_the_board_shows_it_without_their_name(place: Place) -> None:
    client = english(signed_in(place.resident.user))  # type: ignore[arg-type]

    response = client.post(reverse("forums:ask"), {"title": "搬洗衣机", "text": "周六上午，四楼没有电梯。"})
    board = Client().get(reverse("forums:board"))

    made = HelpRequest.objects.get()
    assert response.status_code == 302
    assert (made.resident, made.state) == (place.resident, "open")
    page = board.content.decode()
    assert "搬洗衣机" in page
    assert place.resident.name not in page


def test_contact_data_in_a_request_is_a_form_error(place: Place) -> None:
    client = english(signed_in(place.resident.user))  # type: ignore[arg-type]

    response = client.post(reverse("forums:ask"), {"title": "搬家", "text": "加我微信 wang_1958 联系"})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "text": [
            "Leave out phone numbers, e-mail addresses, ID numbers and chat handles: this is shown in public. "
            "The centre puts people in touch."
        ]
    }
    assert HelpRequest.objects.count() == 0


def test_a_volunteer_offers_once_and_only_the_asker_sees_who(place: Place) -> None:
    help_request = ask_for_help(resident=place.resident, title="陪诊", text="下周二去医院。")
    volunteer = VolunteerFactory(community=place.community, resident__name="赵志愿", resident__user=UserFactory())
    helper = english(signed_in(volunteer.resident.user))

    offered = helper.post(reverse("forums:offer", args=[help_request.pk]), {"message": "我周二有空。"})
    again = helper.post(reverse("forums:offer", args=[help_request.pk]), {"message": "再报一次。"})
    asker_page = english(signed_in(place.resident.user)).get(reverse("forums:help", args=[help_request.pk]))  # type: ignore[arg-type]
    public_page = Client().get(reverse("forums:help", args=[help_request.pk]))

    assert offered.status_code == 302
    assert again.status_code == 409
    assert "You have already offered to help with this." in again.content.decode()
    assert HelpOffer.objects.count() == 1
    assert "赵志愿" in asker_page.content.decode()
    assert "赵志愿" not in public_page.content.decode()
    assert public_page.context["offer_count"] == 1


def test_residents_who_are_not_volunteers_cannot_offer(place: Place) -> None:
    help_request = HelpRequestFactory(community=place.community)
    client = english(signed_in(place.resident.user))  # type: ignore[arg-type]

    response = client.post(reverse("forums:offer", args=[help_request.pk]), {"message": "我来"})

    assert response.status_code == 403
    assert "Only volunteers of the community offer help here." in response.content.decode()
    assert HelpOffer.objects.count() == 0


def test_service_refusals(place: Place, other: Place) -> None:
    help_request = HelpRequestFactory(community=place.community)
    outsider = VolunteerFactory(community=other.community)
    own = VolunteerFactory(community=place.community, resident=help_request.resident)
    volunteer = VolunteerFactory(community=place.community)
    offer_help(help_request=help_request, volunteer=volunteer, message="我来")

    with pytest.raises(NotAllowed, match=re.escape("Volunteers help the residents of their own community.")):
        offer_help(help_request=help_request, volunteer=outsider, message="我来")
    with pytest.raises(NotAllowed, match=re.escape("This is your own request.")):
        offer_help(help_request=help_request, volunteer=own, message="我来")
    with pytest.raises(AlreadyOffered):
        offer_help(help_request=help_request, volunteer=volunteer, message="我来")
    with pytest.raises(ForumError, match=re.escape("message: This field cannot be blank.")):
        offer_help(help_request=HelpRequestFactory(community=place.community), volunteer=volunteer, message=" ")


def test_staff_hide_a_request_with_a_reason_and_it_leaves_the_board(place: Place) -> None:
    help_request = HelpRequestFactory(community=place.community, title="不合适的内容")
    client = english(signed_in(place.staff))

    empty = client.post(reverse("forums:staff-moderate", args=[help_request.pk]), {"reason": ""}, follow=True)
    hidden = client.post(
        reverse("forums:staff-moderate", args=[help_request.pk]), {"reason": "与求助无关"}, follow=True
    )
    board = Client().get(reverse("forums:board"))
    detail = Client().get(reverse("forums:help", args=[help_request.pk]))
    asker = english(signed_in(_user_for(help_request))).get(reverse("forums:help", args=[help_request.pk]))

    assert [str(m) for m in empty.context["messages"]] == ["Say why the request is hidden."]
    assert [str(m) for m in hidden.context["messages"]] == ["Hidden."]
    help_request.refresh_from_db()
    assert (help_request.state, help_request.moderation_note, help_request.moderated_by) == (
        "hidden",
        "与求助无关",
        place.staff,
    )
    assert list(board.context["page"].object_list) == []
    assert detail.status_code == 404
    assert "The centre took it off the board: 与求助无关" in asker.content.decode()


def _user_for(help_request: HelpRequest) -> object:
    user = UserFactory()
    help_request.resident.user = user
    help_request.resident.save(update_fields=["user"])
    return user


def test_staff_of_another_community_cannot_moderate(place: Place, other: Place) -> None:
    help_request = HelpRequestFactory(community=place.community)

    page = signed_in(other.staff).post(reverse("forums:staff-moderate", args=[help_request.pk]), {"reason": "x"})
    through_api = api(other.staff).post(f"/api/v1/help-requests/{help_request.pk}/hide/", {"reason": "x"})

    assert (page.status_code, through_api.status_code) == (404, 404)
    assert HelpRequest.objects.get(pk=help_request.pk).state == "open"


def test_the_api_hides_and_restores(place: Place) -> None:
    help_request = HelpRequestFactory(community=place.community)
    client = api(place.staff)

    empty = client.post(f"/api/v1/help-requests/{help_request.pk}/hide/", {"reason": ""})
    hidden = client.post(f"/api/v1/help-requests/{help_request.pk}/hide/", {"reason": "重复"})
    twice = client.post(f"/api/v1/help-requests/{help_request.pk}/hide/", {"reason": "重复"})
    restored = client.post(f"/api/v1/help-requests/{help_request.pk}/restore/")

    assert empty.status_code == 400
    assert (hidden.status_code, hidden.json()["state"], hidden.json()["moderation_note"]) == (200, "hidden", "重复")
    assert twice.status_code == 409
    assert (restored.status_code, restored.json()["state"]) == (200, "open")
    assert "resident" not in hidden.json()


def test_hiding_twice_is_a_conflict(place: Place) -> None:
    help_request = HelpRequestFactory(community=place.community)
    hide_help_request(help_request=help_request, reason="重复", by=place.staff)

    with pytest.raises(Exception, match=re.escape("This request is already hidden.")):
        hide_help_request(help_request=help_request, reason="重复", by=place.staff)
