from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories.market import OfferFactory, RequestFactory, days_ahead
from tests.market.conftest import Market
from volunteers.market.exceptions import MarketError, OfferNotOpen
from volunteers.market.models import Offer, Request
from volunteers.market.services import close_offer, publish_offer
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def _publish(market: Market, **changes: Any) -> Offer:
    fields: dict[str, Any] = {
        "volunteer": market.volunteer,
        "title": " 陪诊 ",
        "description": "陪老人去华西医院看病",
        "where": "水井坊邻里互助中心",
        "starts_at": days_ahead(3, hour=8),
        "ends_at": days_ahead(3, hour=12),
        "capacity": 2,
        "minutes": 240,
        "by": market.manager,
        **changes,
    }
    return publish_offer(**fields)


def test_a_volunteer_publishes_an_offer_in_their_community(market: Market) -> None:
    offer = _publish(market)

    assert offer.community == market.community
    assert (offer.title, offer.where, offer.capacity, offer.minutes) == ("陪诊", "水井坊邻里互助中心", 2, 240)
    assert (offer.starts_at, offer.ends_at) == (days_ahead(3, hour=8), days_ahead(3, hour=12))
    assert (offer.status, offer.published_by) == ("open", market.manager)


@pytest.mark.parametrize("minutes", [0, -30, 1.5, "60", 24 * 60 + 1])
def test_negative_odd_or_too_many_minutes_are_refused(market: Market, minutes: object) -> None:
    with pytest.raises(MarketError, match="whole number of minutes, more than none and at most a day"):
        _publish(market, minutes=minutes)

    assert list(Offer.objects.values_list("title", flat=True)) == ["义剪"]


@pytest.mark.parametrize("capacity", [0, -1, 2.0, 501])
def test_places_are_a_whole_number_from_one(market: Market, capacity: object) -> None:
    with pytest.raises(MarketError, match="whole number from 1 to 500"):
        _publish(market, capacity=capacity)

    assert Offer.objects.count() == 1


def test_an_offer_ends_after_it_starts_and_is_still_to_come(market: Market) -> None:
    with pytest.raises(MarketError, match="must end after it starts"):
        _publish(market, ends_at=days_ahead(3, hour=8))
    with pytest.raises(MarketError, match="time still to come"):
        _publish(market, starts_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(MarketError, match="with their time zone"):
        _publish(market, starts_at=datetime(2030, 1, 1, 9), ends_at=datetime(2030, 1, 1, 10))  # noqa: DTZ001

    assert Offer.objects.count() == 1


def test_only_an_active_volunteer_publishes(market: Market) -> None:
    Volunteer.objects.filter(pk=market.volunteer.pk).update(status=Volunteer.Status.PAUSED)
    market.volunteer.refresh_from_db()

    with pytest.raises(MarketError, match="is not an active volunteer"):
        _publish(market)

    assert Offer.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "constraint"),
    [
        ({"ends_at": days_ahead(1, hour=8)}, "offer_ends_after_it_starts"),
        ({"capacity": 0}, "offer_has_a_place"),
        ({"minutes": 0}, "offer_minutes_in_a_day"),
        ({"minutes": 24 * 60 + 1}, "offer_minutes_in_a_day"),
    ],
)
def test_the_database_keeps_the_offers_rules(market: Market, change: dict[str, Any], constraint: str) -> None:
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Offer.objects.filter(pk=market.offer.pk).update(**change)


def test_closing_an_offer_keeps_the_requests_made(market: Market) -> None:
    made = RequestFactory(offer=market.offer)

    closed = close_offer(offer=market.offer)

    assert closed.status == "closed"
    assert list(Request.objects.values_list("pk", "status")) == [(made.pk, "requested")]
    with pytest.raises(OfferNotOpen, match="closed already"):
        close_offer(offer=market.offer)


def test_an_offer_shows_its_volunteer_by_name_only_with_consent(market: Market) -> None:
    consenting = OfferFactory(volunteer__public_name_consent=True, volunteer__resident__name="赵老师")

    assert str(market.offer.volunteer_shown) == "a volunteer"
    assert consenting.volunteer_shown == "赵老师"
