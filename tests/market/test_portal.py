"""The residents' pages of the market: browse, request, one's own requests and credit, verify, groups."""

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests.clients import signed_in
from tests.factories import ResidentFactory, UserFactory
from tests.factories.market import OfferFactory, RequestFactory, VerifiedResidentFactory, days_ahead
from tests.ids import resident_id
from tests.market.conftest import Market, english, took_place
from volunteers.market.models import Request, VerificationRequest
from volunteers.market.services import request_service
from volunteers.models import Group, Membership
from yicang.community.models import User
from yicang.ledger.services import credit_time

pytestmark = pytest.mark.django_db


def _client(market: Market) -> Client:
    user = market.resident.user
    assert isinstance(user, User)
    return english(signed_in(user))


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_resident_browses_the_open_offers_of_their_own_community(market: Market, other: Market) -> None:
    OfferFactory(volunteer=market.volunteer, status="closed")
    took_place(OfferFactory(volunteer=market.volunteer))
    later = OfferFactory(volunteer=market.volunteer, title="陪诊", starts_at=days_ahead(5))

    response = _client(market).get(reverse("service_market:offers"))

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [market.offer, later]
    assert response.context["community"] == market.community


def test_visitors_see_every_communitys_offers_without_personal_data(market: Market, other: Market) -> None:
    named = OfferFactory(
        volunteer__public_name_consent=True,
        volunteer__resident__name="赵老师",
        volunteer__community=market.community,
        starts_at=days_ahead(3),
    )

    response = Client().get(reverse("service_market:offers"))

    page = response.content.decode()
    assert [o.pk for o in response.context["page"].object_list] == [market.offer.pk, other.offer.pk, named.pk]
    assert '<html lang="zh-hans">' in page  # Chinese first
    assert "赵老师" in page
    for private in ("李志愿", "王秀英", "赵大妈", "李家", "王家"):
        assert private not in page
    assert "交子社区" in page


@pytest.mark.parametrize("who", ["visitor", "resident"])
def test_the_market_page_queries_do_not_grow_with_offers(
    market: Market, who: str, django_assert_num_queries: Callable[..., Any]
) -> None:
    client = Client() if who == "visitor" else _client(market)
    queries = {"visitor": 2, "resident": 5}[who]  # (session, user, resident,) the count, the page of offers
    with django_assert_num_queries(queries):
        client.get(reverse("service_market:offers"))
    for n in range(6):
        OfferFactory(volunteer__community=market.community, starts_at=days_ahead(3 + n))
        RequestFactory(offer=market.offer)

    with django_assert_num_queries(queries):
        response = client.get(reverse("service_market:offers"))

    assert len(response.context["page"].object_list) == 7


def test_a_resident_requests_a_place_from_the_offer_page(market: Market) -> None:
    client = _client(market)

    response = client.post(reverse("service_market:request", args=[market.offer.pk]), {"note": "坐轮椅"})

    assert response.status_code == 302
    assert response["Location"] == reverse("service_market:my")
    made = Request.objects.get()
    assert (made.offer, made.resident, made.status, made.note) == (market.offer, market.resident, "requested", "坐轮椅")
    assert _messages(client.get(response["Location"])) == ["Requested: 义剪. The centre will confirm it."]


def _not_verified(market: Market) -> None:
    market.resident.id_verified_at = None
    market.resident.save()


def _full(market: Market) -> None:
    for _ in range(3):
        RequestFactory(offer=market.offer)


def _overlapping(market: Market) -> None:
    clash = OfferFactory(volunteer=market.volunteer, title="陪诊", starts_at=market.offer.starts_at)
    request_service(offer=clash, resident=market.resident)


def _elsewhere(market: Market) -> None:
    stranger = VerifiedResidentFactory(user=UserFactory())
    market.resident.user, stranger.user = None, market.resident.user
    market.resident.save()
    stranger.save()


@pytest.mark.parametrize(
    ("setup", "status", "message"),
    [
        (_not_verified, 403, "Only residents whose residency the centre has verified may request services"),
        (_full, 409, "No place left: all 3 places of this service are taken."),
        (_overlapping, 409, "You have booked 陪诊 at the same time"),
        (_elsewhere, 403, "This service is for the residents of 水井坊社区."),
    ],
)
def test_a_refused_request_says_why_and_writes_nothing(
    market: Market, setup: Callable[[Market], None], status: int, message: str
) -> None:
    client = _client(market)
    setup(market)
    before = list(Request.objects.order_by("pk").values_list("pk", "status"))

    response = client.post(reverse("service_market:request", args=[market.offer.pk]), {"note": "坐轮椅"})

    assert response.status_code == status
    assert str(response.context["error"].message).startswith(message)
    assert message in response.content.decode()
    assert response.context["note"] == "坐轮椅"
    assert list(Request.objects.order_by("pk").values_list("pk", "status")) == before


def test_my_requests_shows_only_ones_own_with_the_households_time_credit(market: Market) -> None:
    mine = request_service(offer=market.offer, resident=market.resident)
    RequestFactory(offer=market.offer)  # a neighbour's
    household = market.resident.household
    assert household is not None
    credit_time(household=household, minutes=90, reason="送物资", by=None, cause=household, idempotency_key="k")

    response = _client(market).get(reverse("service_market:my"))

    assert list(response.context["page"].object_list) == [mine]
    assert response.context["balance"] == 90
    assert "1 h 30 min" in response.content.decode()


def test_my_requests_page_queries_do_not_grow_with_requests(
    market: Market, django_assert_num_queries: Callable[..., Any]
) -> None:
    client = _client(market)
    request_service(offer=market.offer, resident=market.resident)
    # Session, user, resident, the count and the page of requests, the balance, the verification.
    with django_assert_num_queries(7):
        client.get(reverse("service_market:my"))
    for n in range(5):
        RequestFactory(
            offer=OfferFactory(volunteer=market.volunteer, starts_at=days_ahead(3 + n)), resident=market.resident
        )

    with django_assert_num_queries(7):
        response = client.get(reverse("service_market:my"))

    assert len(response.context["page"].object_list) == 6


def test_a_resident_cancels_their_own_request_and_no_one_elses(market: Market) -> None:
    mine = request_service(offer=market.offer, resident=market.resident)
    neighbours = RequestFactory(offer=market.offer)
    client = _client(market)

    theirs = client.post(reverse("service_market:cancel", args=[neighbours.pk]))
    response = client.post(reverse("service_market:cancel", args=[mine.pk]), follow=True)

    assert theirs.status_code == 404
    assert dict(Request.objects.values_list("pk", "status")) == {mine.pk: "cancelled", neighbours.pk: "requested"}
    assert _messages(response) == ["Cancelled: 义剪."]
    again = client.post(reverse("service_market:cancel", args=[mine.pk]), follow=True)
    assert _messages(again) == ["Only a request still to happen can be cancelled; this one is cancelled."]


def test_a_resident_sends_their_id_number_to_be_verified(market: Market, media: Path) -> None:
    newcomer = ResidentFactory(household__community=market.community, user=UserFactory())
    client = english(signed_in(newcomer.user))
    photo = SimpleUploadedFile("card.png", _png(), content_type="image/png")

    response = client.post(reverse("service_market:verify"), {"id_number": resident_id(), "photo": photo})

    assert response.status_code == 302
    verification = VerificationRequest.objects.get()
    assert (verification.resident, verification.status, verification.id_number_last4) == (
        newcomer,
        "pending",
        resident_id()[-4:],
    )
    assert verification.photo.name.endswith(".png")
    page = client.get(reverse("service_market:verify"))
    assert page.context["pending"] == verification
    assert 'name="id_number"' not in page.content.decode()  # nothing more to send while it waits


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 5), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"\x89PNG not really a picture", "Upload a valid image"),
        (b"x" * (5 * 1024 * 1024 + 1), "larger than 5 MB"),
    ],
)
def test_only_a_real_picture_of_reasonable_size_is_kept(
    market: Market, media: Path, content: bytes, error: str
) -> None:
    newcomer = ResidentFactory(household__community=market.community, user=UserFactory())
    photo = SimpleUploadedFile("card.png", _png() + content if "MB" in error else content, content_type="image/png")

    response = english(signed_in(newcomer.user)).post(
        reverse("service_market:verify"), {"id_number": resident_id(), "photo": photo}
    )

    assert response.status_code == 400
    assert error in " ".join(response.context["form"].errors["photo"])
    assert not VerificationRequest.objects.exists()
    assert list(media.rglob("*.*")) == []


def test_a_bad_id_number_on_the_portal_is_a_clear_error(market: Market, media: Path) -> None:
    newcomer = ResidentFactory(household__community=market.community, user=UserFactory())

    response = english(signed_in(newcomer.user)).post(reverse("service_market:verify"), {"id_number": "51010419560312"})

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "A resident ID number has 18 characters: 17 digits, then a digit or X."
    ]
    assert not VerificationRequest.objects.exists()
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_a_rejected_resident_sees_why_and_may_send_again(market: Market) -> None:
    newcomer = ResidentFactory(household__community=market.community, user=UserFactory())
    VerificationRequest.objects.create(
        community=market.community,
        resident=newcomer,
        status="rejected",
        reason="号码有误",
        decided_at=market.offer.created_at,
    )

    response = signed_in(newcomer.user).get(reverse("service_market:verify"))

    assert response.context["rejected"].reason == "号码有误"
    assert "号码有误" in response.content.decode()
    assert 'name="id_number"' in response.content.decode()


def test_residents_join_the_open_interest_groups_of_their_community(market: Market, other: Market) -> None:
    runners = Group.objects.create(community=market.community, name="夜跑队", kind="interest", open_to_join=True)
    Group.objects.create(community=market.community, name="病友会", kind="interest", open_to_join=False)
    Group.objects.create(community=market.community, name="送餐队", kind="volunteer", open_to_join=True)
    elsewhere = Group.objects.create(community=other.community, name="读书会", kind="interest", open_to_join=True)
    client = _client(market)

    listed = client.get(reverse("service_market:groups"))
    joined = client.post(reverse("service_market:join", args=[runners.pk]), follow=True)
    refused = client.post(reverse("service_market:join", args=[elsewhere.pk]))

    assert [(g.name, g.members, g.joined) for g in listed.context["groups"]] == [("夜跑队", 0, False)]
    assert _messages(joined) == ["You are a member of 夜跑队."]
    assert [(g.name, g.members, g.joined) for g in joined.context["groups"]] == [("夜跑队", 1, True)]
    assert refused.status_code == 404
    assert list(Membership.objects.values_list("group__name", "resident__name")) == [("夜跑队", "王秀英")]


def test_the_groups_page_queries_do_not_grow_with_groups(
    market: Market, django_assert_num_queries: Callable[..., Any]
) -> None:
    client = _client(market)
    Group.objects.create(community=market.community, name="夜跑队", kind="interest", open_to_join=True)
    with django_assert_num_queries(4):  # session, user, resident, the groups with their counts
        client.get(reverse("service_market:groups"))
    for n in range(5):
        group = Group.objects.create(community=market.community, name=f"兴趣组{n}", kind="interest", open_to_join=True)
        Membership.objects.create(group=group, resident=market.resident)

    with django_assert_num_queries(4):
        response = client.get(reverse("service_market:groups"))

    assert len(response.context["groups"]) == 6


@pytest.mark.parametrize("name", ["my", "verify", "groups"])
def test_an_account_without_a_resident_is_told_to_ask_the_centre(name: str) -> None:
    response = signed_in(UserFactory()).get(reverse(f"service_market:{name}"))

    assert response.status_code == 200
    assert response.templates[0].name == "service_market/not_linked.html"


def test_requesting_without_a_linked_resident_writes_nothing(market: Market) -> None:
    response = signed_in(UserFactory()).post(reverse("service_market:request", args=[market.offer.pk]))

    assert response.templates[0].name == "service_market/not_linked.html"
    assert not Request.objects.exists()


@pytest.mark.parametrize("name", ["my", "verify", "groups"])
def test_the_residents_pages_need_a_sign_in(name: str) -> None:
    response = Client().get(reverse(f"service_market:{name}"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_offer_page_shows_no_one_who_requested_it(market: Market) -> None:
    RequestFactory(offer=market.offer, resident__name="孙阿姨")

    response = Client().get(reverse("service_market:offer", args=[market.offer.pk]))

    assert response.status_code == 200
    assert response.context["places_left"] == 2
    assert "孙阿姨" not in response.content.decode()
