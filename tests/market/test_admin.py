"""The market's admin: scoped to the staff member's communities, and every change made by a service."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.clients import signed_in
from tests.factories import ResidentFactory, UserFactory, staff_of
from tests.factories.market import OfferFactory, RequestFactory, days_ahead
from tests.ids import resident_id
from tests.market.conftest import Market, english, time_balance, took_place
from volunteers.market.models import Offer, Request, VerificationRequest
from volunteers.market.services import submit_verification
from yicang.community.models import SensitiveAccess, StaffMembership
from yicang.ledger.models import Transaction

pytestmark = pytest.mark.django_db


@dataclass
class Records:
    offer: Offer
    request: Request
    verification: VerificationRequest


def _records(market: Market, birth: str) -> Records:
    newcomer = ResidentFactory(household__community=market.community)
    photo = SimpleUploadedFile("card.jpg", b"\xff\xd8\xff photo of " + birth.encode(), content_type="image/jpeg")
    return Records(
        offer=market.offer,
        request=RequestFactory(offer=market.offer, resident=market.resident),
        verification=submit_verification(resident=newcomer, number=resident_id(birth), photo=photo),
    )


@pytest.fixture
def ours(market: Market, media: Path) -> Records:
    return _records(market, "19560312")


@pytest.fixture
def theirs(other: Market, media: Path) -> Records:
    return _records(other, "19620805")


def _url(record: Model, view: str, *args: object) -> str:
    meta = record._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[*args])


def _act(client: Client, model: type[Model], action: str, *records: Model, **extra: str) -> Any:
    url = reverse(f"admin:service_market_{model._meta.model_name}_changelist")
    data = {"action": action, "_selected_action": [r.pk for r in records], **extra}
    return client.post(url, data, follow=True)


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("kind", ["offer", "request", "verification"])
def test_changelists_list_only_the_staff_members_community(
    market: Market, ours: Records, theirs: Records, kind: str
) -> None:
    record = getattr(ours, kind)

    response = signed_in(market.manager).get(_url(record, "changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [record]


@pytest.mark.parametrize("kind", ["offer", "request", "verification"])
@pytest.mark.parametrize("view", ["change", "history"])
def test_another_communitys_records_are_not_found(
    market: Market, ours: Records, theirs: Records, kind: str, view: str
) -> None:
    record = getattr(theirs, kind)

    response = signed_in(market.manager).get(_url(record, view, record.pk))

    assert response.status_code == 404


def test_another_communitys_photo_and_number_are_not_found(market: Market, ours: Records, theirs: Records) -> None:
    client = signed_in(market.manager)

    photo = client.get(_url(theirs.verification, "photo", theirs.verification.pk))
    number = client.get(_url(theirs.verification, "reveal", theirs.verification.pk, "id_number"))

    assert (photo.status_code, number.status_code) == (404, 404)
    assert not SensitiveAccess.objects.exists()


def test_actions_on_another_communitys_records_change_nothing(market: Market, ours: Records, theirs: Records) -> None:
    client = signed_in(market.manager)

    _act(client, Request, "accept_selected", theirs.request)
    _act(client, VerificationRequest, "approve_selected", theirs.verification)
    _act(client, Offer, "close_selected", theirs.offer)

    assert Request.objects.get(pk=theirs.request.pk).status == "requested"
    assert VerificationRequest.objects.get(pk=theirs.verification.pk).status == "pending"
    assert Offer.objects.get(pk=theirs.offer.pk).status == "open"


def test_request_actions_move_requests_through_the_services(market: Market, ours: Records) -> None:
    client = english(signed_in(market.manager))

    refused = _act(client, Request, "complete_selected", ours.request)
    assert _messages(refused) == ["义剪 · 王秀英: Only an accepted request can be marked done; this one is requested."]
    assert not Transaction.objects.exists()

    _act(client, Request, "accept_selected", ours.request)
    took_place(ours.offer)
    done = _act(client, Request, "complete_selected", ours.request)

    assert _messages(done) == ["义剪 · 王秀英: done, time credit moved."]
    ours.request.refresh_from_db()
    assert (ours.request.status, ours.request.paid_by, ours.request.decided_by) == ("done", "community", market.manager)
    assert time_balance(market.volunteer.resident.household) == 60


def test_the_verification_list_is_the_queue_of_pending_ones(market: Market, ours: Records) -> None:
    decided = ResidentFactory(household__community=market.community)
    rejected = submit_verification(resident=decided, number=resident_id("19700101"))
    rejected.status, rejected.reason, rejected.id_number_sealed, rejected.id_number_last4 = "rejected", "不清楚", "", ""
    rejected.decided_at = rejected.created_at
    rejected.save()
    client = signed_in(market.manager)
    changelist = reverse("admin:service_market_verificationrequest_changelist")

    pending = client.get(changelist)
    everything = client.get(changelist, {"status": "all"})

    assert list(pending.context["cl"].result_list) == [ours.verification]
    assert set(everything.context["cl"].result_list) == {ours.verification, rejected}


def test_approving_from_the_admin_verifies_the_resident_and_deletes_the_photo(
    market: Market, ours: Records, media: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _act(english(signed_in(market.manager)), VerificationRequest, "approve_selected", ours.verification)

    resident = ours.verification.resident
    resident.refresh_from_db()
    assert _messages(response) == [f"{resident.name}: verified."]
    assert (resident.id_verified_by, resident.id_number_last4) == (market.manager, resident_id("19560312")[-4:])
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_rejecting_from_the_admin_asks_for_a_reason(
    market: Market, ours: Records, media: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = signed_in(market.manager)

    prompt = _act(client, VerificationRequest, "reject_selected", ours.verification)
    assert prompt.templates[0].name == "admin/action_reason.html"
    empty = _act(client, VerificationRequest, "reject_selected", ours.verification, apply="1", reason=" ")
    assert empty.context["reason_missing"] is True
    assert VerificationRequest.objects.get(pk=ours.verification.pk).status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        _act(client, VerificationRequest, "reject_selected", ours.verification, apply="1", reason="照片看不清")

    ours.verification.refresh_from_db()
    assert (ours.verification.status, ours.verification.reason) == ("rejected", "照片看不清")
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_staff_who_decide_see_the_photo_and_the_look_is_logged(market: Market, ours: Records) -> None:
    client = signed_in(market.manager)

    page = client.get(_url(ours.verification, "change", ours.verification.pk))
    photo = client.get(_url(ours.verification, "photo", ours.verification.pk))

    assert _url(ours.verification, "photo", ours.verification.pk) in page.content.decode()
    assert photo.status_code == 200
    assert b"".join(photo.streaming_content) == b"\xff\xd8\xff photo of 19560312"  # type: ignore[attr-defined]
    assert photo["Content-Type"] == "image/jpeg"
    assert {"private", "no-store"} <= set(photo["Cache-Control"].split(", "))
    look = SensitiveAccess.objects.get()
    assert (look.user, look.field, look.action, look.subject_id) == (
        market.manager,
        "photo",
        "reveal",
        ours.verification.pk,
    )


def test_staff_who_only_view_see_no_photo(market: Market, ours: Records) -> None:
    viewer = UserFactory(is_staff=True)
    StaffMembership.objects.create(user=viewer, community=market.community, role=StaffMembership.Role.STAFF)
    viewer.user_permissions.add(Permission.objects.get(codename="view_verificationrequest"))
    client = signed_in(viewer)

    page = client.get(_url(ours.verification, "change", ours.verification.pk))
    photo = client.get(_url(ours.verification, "photo", ours.verification.pk))

    assert page.status_code == 200
    assert "/photo/" not in page.content.decode()
    assert photo.status_code == 403
    assert not SensitiveAccess.objects.exists()


def test_the_photo_is_gone_once_decided(market: Market, ours: Records) -> None:
    _act(signed_in(market.manager), VerificationRequest, "reject_selected", ours.verification, apply="1", reason="不符")

    response = signed_in(market.manager).get(_url(ours.verification, "photo", ours.verification.pk))

    assert response.status_code == 404


def test_adding_an_offer_in_the_admin_publishes_it(market: Market) -> None:
    day = days_ahead(4).strftime("%Y-%m-%d")
    data = {
        "community": market.community.pk,
        "volunteer": market.volunteer.pk,
        "title": "修电脑",
        "description": "",
        "where": "社区活动室",
        "starts_at_0": day,
        "starts_at_1": "14:00",
        "ends_at_0": day,
        "ends_at_1": "16:00",
        "capacity": "4",
        "minutes": "120",
        "requests-TOTAL_FORMS": "0",
        "requests-INITIAL_FORMS": "0",
    }

    response = signed_in(market.manager).post(reverse("admin:service_market_offer_add"), data)

    assert response.status_code == 302
    offer = Offer.objects.get(title="修电脑")
    assert (offer.published_by, offer.capacity, offer.minutes, offer.status) == (market.manager, 4, 120, "open")
    assert (offer.starts_at, offer.ends_at) == (days_ahead(4, hour=14), days_ahead(4, hour=16))


def test_an_offer_in_the_past_or_of_another_communitys_volunteer_is_a_form_error(market: Market, other: Market) -> None:
    data = {
        "community": market.community.pk,
        "volunteer": other.volunteer.pk,
        "title": "修电脑",
        "where": "社区活动室",
        "starts_at_0": "2020-01-01",
        "starts_at_1": "14:00",
        "ends_at_0": "2020-01-01",
        "ends_at_1": "13:00",
        "capacity": "0",
        "minutes": "-30",
        "requests-TOTAL_FORMS": "0",
        "requests-INITIAL_FORMS": "0",
    }

    response = signed_in(market.manager).post(reverse("admin:service_market_offer_add"), data)

    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"volunteer", "ends_at", "capacity", "minutes"}
    assert not Offer.objects.filter(title="修电脑").exists()


def test_an_offer_starting_in_the_past_is_a_form_error(market: Market) -> None:
    data = {
        "community": market.community.pk,
        "volunteer": market.volunteer.pk,
        "title": "修电脑",
        "where": "社区活动室",
        "starts_at_0": "2020-01-01",
        "starts_at_1": "14:00",
        "ends_at_0": "2020-01-01",
        "ends_at_1": "16:00",
        "capacity": "2",
        "minutes": "30",
        "requests-TOTAL_FORMS": "0",
        "requests-INITIAL_FORMS": "0",
    }

    response = signed_in(market.manager).post(reverse("admin:service_market_offer_add"), data)

    with translation.override("en"):
        assert response.context["adminform"].form.errors["starts_at"] == [
            "A service is offered for a time still to come."
        ]
    assert not Offer.objects.filter(title="修电脑").exists()


def test_warehouse_managers_have_no_market_pages(market: Market) -> None:
    keeper = staff_of(market.community, role=StaffMembership.Role.WAREHOUSE)

    response = signed_in(keeper).get(reverse("admin:service_market_request_changelist"))

    assert response.status_code == 403


@pytest.mark.parametrize("model", ["offer", "request", "verificationrequest"])
def test_changelist_queries_do_not_grow_with_rows(
    market: Market, media: Path, model: str, django_assert_num_queries: Any
) -> None:
    def add_rows(count: int) -> None:
        for n in range(count):
            offer = OfferFactory(volunteer=market.volunteer, starts_at=days_ahead(10 + n))
            RequestFactory(offer=offer)
            submit_verification(
                resident=ResidentFactory(household__community=market.community),
                number=resident_id(f"19{60 + n}0101"),
                photo=SimpleUploadedFile("p.jpg", b"x"),
            )

    client = signed_in(market.manager)
    url = reverse(f"admin:service_market_{model}_changelist")
    add_rows(1)
    with django_assert_num_queries(CHANGELIST_QUERIES[model]):
        assert client.get(url).status_code == 200
    add_rows(4)
    with django_assert_num_queries(CHANGELIST_QUERIES[model]):
        assert client.get(url).status_code == 200


# Session, user, permissions, the page's rows (with their joins), filters' choices; offers add the dates.
CHANGELIST_QUERIES = {"offer": 9, "request": 7, "verificationrequest": 7}


def test_a_manager_reveals_a_waiting_number_and_the_look_is_logged(market: Market, ours: Records) -> None:
    url = _url(ours.verification, "reveal", ours.verification.pk, "id_number")

    response = signed_in(market.manager).post(url, {"reason": "核对身份证"})

    assert response.context["value"] == resident_id("19560312")
    look = SensitiveAccess.objects.get()
    assert (look.field, look.reason, look.subject_id) == ("id_number", "核对身份证", ours.verification.pk)


def test_centre_staff_see_the_number_masked_only(market: Market, ours: Records) -> None:
    staff = staff_of(market.community, role=StaffMembership.Role.STAFF)
    client = signed_in(staff)

    page = client.get(_url(ours.verification, "change", ours.verification.pk)).content.decode()
    reveal = client.post(_url(ours.verification, "reveal", ours.verification.pk, "id_number"), {"reason": "看看"})

    assert "*" * 14 + resident_id("19560312")[-4:] in page
    assert resident_id("19560312") not in page
    assert reveal.status_code == 403
    assert not SensitiveAccess.objects.exists()
