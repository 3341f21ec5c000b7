from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import ResidentFactory
from tests.factories.market import OfferFactory, RequestFactory, VerifiedResidentFactory, days_ahead
from tests.market.conftest import Market
from volunteers.market.exceptions import (
    AlreadyRequested,
    MarketError,
    NotLocal,
    NotVerified,
    OfferFull,
    OfferNotOpen,
    OverlappingBooking,
)
from volunteers.market.models import Offer, Request
from volunteers.market.services import cancel_request, request_service
from yicang.ledger.models import Transaction
from yicang.ledger.services import credit_time

pytestmark = pytest.mark.django_db


def _a_credit(market: Market) -> Transaction:
    """A real transaction for a done request to point at (the database wants one)."""
    household = market.volunteer.resident.household
    assert household is not None
    return credit_time(household=household, minutes=60, reason="义剪", by=None, cause=market.offer, idempotency_key="t")


def test_a_verified_local_resident_takes_a_place(market: Market) -> None:
    made = request_service(offer=market.offer, resident=market.resident, note=" 坐轮椅 ")

    assert (made.offer, made.resident, made.community) == (market.offer, market.resident, market.community)
    assert (made.status, made.note, made.credit, made.paid_by, made.decided_at) == (
        "requested",
        "坐轮椅",
        None,
        "",
        None,
    )


def test_requesting_without_verification_is_refused_and_writes_nothing(market: Market) -> None:
    unverified = ResidentFactory(household__community=market.community)

    with pytest.raises(NotVerified, match="Only residents whose residency the centre has verified") as refused:
        request_service(offer=market.offer, resident=unverified)

    assert refused.value.status == 403
    assert not Request.objects.exists()


def test_a_resident_of_another_community_is_refused(market: Market) -> None:
    stranger = VerifiedResidentFactory()

    with pytest.raises(NotLocal, match="for the residents of 水井坊社区"):
        request_service(offer=market.offer, resident=stranger)

    assert not Request.objects.exists()


def test_a_full_offer_refuses_with_409_and_writes_nothing(market: Market) -> None:
    offer = OfferFactory(volunteer=market.volunteer, capacity=1)
    first = RequestFactory(offer=offer)

    with pytest.raises(OfferFull, match="the only place of this service is taken") as refused:
        request_service(offer=offer, resident=market.resident)

    assert refused.value.status == 409
    assert list(Request.objects.values_list("pk", flat=True)) == [first.pk]


def test_places_are_held_by_requested_accepted_and_done_requests_not_by_cancelled_ones(market: Market) -> None:
    offer = OfferFactory(volunteer=market.volunteer, capacity=3)
    for status in ("requested", "accepted", "cancelled", "no_show"):
        RequestFactory(offer=offer, status=status)
    RequestFactory(offer=offer, status="done", paid_by="community", credit=_a_credit(market))

    with pytest.raises(OfferFull, match="all 3 places of this service are taken"):
        request_service(offer=offer, resident=market.resident)

    Request.objects.filter(offer=offer, status="requested").update(status="cancelled")
    assert request_service(offer=offer, resident=market.resident).status == "requested"


def test_overlapping_bookings_are_refused_touching_ones_are_fine(market: Market) -> None:
    request_service(offer=market.offer, resident=market.resident)  # 9:00-11:00 in two days
    overlapping = OfferFactory(
        volunteer=market.volunteer, title="陪诊", starts_at=days_ahead(2, hour=10), ends_at=days_ahead(2, hour=12)
    )
    touching = OfferFactory(
        volunteer=market.volunteer, title="修电脑", starts_at=days_ahead(2, hour=11), ends_at=days_ahead(2, hour=12)
    )

    with pytest.raises(OverlappingBooking, match="You have booked 义剪 at the same time") as refused:
        request_service(offer=overlapping, resident=market.resident)

    assert refused.value.status == 409
    assert request_service(offer=touching, resident=market.resident).offer == touching
    assert Request.objects.filter(offer=overlapping).count() == 0


def test_a_cancelled_booking_no_longer_overlaps(market: Market) -> None:
    first = request_service(offer=market.offer, resident=market.resident)
    same_time = OfferFactory(volunteer=market.volunteer, starts_at=market.offer.starts_at, ends_at=market.offer.ends_at)
    cancel_request(service_request=first, by=market.resident.user)  # type: ignore[arg-type]

    assert request_service(offer=same_time, resident=market.resident).status == "requested"


def test_a_resident_requests_an_offer_once_while_the_request_is_active(market: Market) -> None:
    first = request_service(offer=market.offer, resident=market.resident)

    with pytest.raises(AlreadyRequested, match="requested this service already"):
        request_service(offer=market.offer, resident=market.resident)
    cancel_request(service_request=first, by=market.manager)
    again = request_service(offer=market.offer, resident=market.resident)

    assert list(Request.objects.order_by("pk").values_list("status", flat=True)) == ["cancelled", "requested"]
    assert again.pk != first.pk


def test_the_database_allows_one_active_request_per_resident_and_offer(market: Market) -> None:
    RequestFactory(offer=market.offer, resident=market.resident, status="cancelled")
    RequestFactory(offer=market.offer, resident=market.resident, status="accepted")

    with (
        pytest.raises(IntegrityError, match=r"request_once_while_active|UNIQUE constraint failed"),
        transaction.atomic(),
    ):
        RequestFactory(offer=market.offer, resident=market.resident)


def test_a_closed_or_started_offer_takes_no_requests(market: Market) -> None:
    closed = OfferFactory(volunteer=market.volunteer, status="closed", starts_at=days_ahead(5))
    started = OfferFactory(volunteer=market.volunteer, starts_at=days_ahead(6))
    Offer.objects.filter(pk=started.pk).update(starts_at=timezone.now() - timedelta(minutes=5))

    with pytest.raises(OfferNotOpen, match="takes no more requests"):
        request_service(offer=closed, resident=market.resident)
    with pytest.raises(OfferNotOpen, match="has started already"):
        request_service(offer=started, resident=market.resident)

    assert not Request.objects.exists()


def test_nobody_requests_a_service_of_their_own_household(market: Market) -> None:
    volunteer_resident = market.volunteer.resident
    volunteer_resident.id_verified_at = timezone.now()
    volunteer_resident.save()
    spouse = VerifiedResidentFactory(household=volunteer_resident.household)

    for resident in (volunteer_resident, spouse):
        with pytest.raises(MarketError, match="given by you or your household"):
            request_service(offer=market.offer, resident=resident)

    assert not Request.objects.exists()


def test_a_long_note_is_refused(market: Market) -> None:
    with pytest.raises(MarketError, match="within 200 characters"):
        request_service(offer=market.offer, resident=market.resident, note="长" * 201)

    assert not Request.objects.exists()
