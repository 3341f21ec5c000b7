"""Residents and staff at the same moment: the row locks decide, on PostgreSQL (SQLite has none)."""

import pytest
from django.db import connection

from tests.concurrency import race
from tests.factories import UserFactory
from tests.factories.market import OfferFactory, VerifiedResidentFactory, days_ahead
from tests.market.conftest import took_place
from volunteers.market.exceptions import IllegalTransition, OfferFull, OverlappingBooking
from volunteers.market.models import Request
from volunteers.market.services import accept_request, complete_request, request_service
from yicang.community.models import Resident
from yicang.ledger.models import Transaction

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres")]


def test_two_residents_taking_the_last_place_at_once_one_gets_it() -> None:
    offer = OfferFactory(capacity=2)
    first = VerifiedResidentFactory(household__community=offer.community)
    request_service(offer=offer, resident=first)
    racers = [VerifiedResidentFactory(household__community=offer.community) for _ in range(2)]

    results = race([lambda r=r: request_service(offer=offer, resident=r) for r in racers])

    assert sorted(type(r).__name__ for r in results) == ["OfferFull", "Request"]
    refusal = next(r for r in results if isinstance(r, OfferFull))
    assert refusal.status == 409
    winner = next(r for r in results if isinstance(r, Request))
    assert sorted(Request.objects.values_list("resident_id", flat=True)) == sorted([first.pk, winner.resident_id])
    assert winner.resident_id in {r.pk for r in racers}
    assert connection.vendor == "postgresql"


def test_one_resident_booking_two_overlapping_offers_at_once_gets_one() -> None:
    offer = OfferFactory()
    clashing = OfferFactory(volunteer=offer.volunteer, starts_at=days_ahead(2, hour=10), ends_at=days_ahead(2, hour=12))
    resident: Resident = VerifiedResidentFactory(household__community=offer.community)

    results = race([lambda o=o: request_service(offer=o, resident=resident) for o in (offer, clashing)])

    assert sorted(type(r).__name__ for r in results) == ["OverlappingBooking", "Request"]
    assert Request.objects.count() == 1
    assert any(isinstance(r, OverlappingBooking) for r in results)


def test_two_staff_completing_a_request_at_once_credit_it_once() -> None:
    offer = OfferFactory()
    resident = VerifiedResidentFactory(household__community=offer.community)
    made = request_service(offer=offer, resident=resident)
    staff = UserFactory()
    accepted = accept_request(service_request=made, by=staff)
    took_place(offer)

    results = race([lambda: complete_request(service_request=accepted, by=staff)] * 2)

    assert sorted(type(r).__name__ for r in results) == ["IllegalTransition", "Request"]
    assert any(isinstance(r, IllegalTransition) for r in results)
    assert Transaction.objects.count() == 1
    assert Request.objects.get().status == "done"
