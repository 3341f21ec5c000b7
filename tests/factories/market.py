"""Factories of the service market; every record lands in one community, as the rules want."""

from datetime import datetime, time, timedelta

import factory
from django.utils import timezone

from tests.factories.community import HouseholdFactory, ResidentFactory, UserFactory
from tests.factories.volunteers import VolunteerFactory
from volunteers.market.models import Offer, Request


def days_ahead(days: int, hour: int = 9) -> datetime:
    """`hour` o'clock local time, `days` from today."""
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


class VerifiedResidentFactory(ResidentFactory):
    """A resident whose residency staff verified (the fact, who and when, as set_id_number leaves it)."""

    id_verified_at = factory.LazyFunction(timezone.now)
    id_verified_by = factory.SubFactory(UserFactory)


class OfferFactory(factory.django.DjangoModelFactory):
    """An open offer, two days ahead from 9 to 11, with three places worth an hour each."""

    class Meta:
        model = Offer

    volunteer = factory.SubFactory(VolunteerFactory)
    community = factory.SelfAttribute("volunteer.community")
    title = factory.Sequence(lambda n: f"义剪{n}")
    where = "水井坊邻里互助中心"
    starts_at = factory.LazyFunction(lambda: days_ahead(2))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    capacity = 3
    minutes = 60


class RequestFactory(factory.django.DjangoModelFactory):
    """A request by a verified resident of the offer's community (in a household of its own)."""

    class Meta:
        model = Request

    offer = factory.SubFactory(OfferFactory)
    community = factory.SelfAttribute("offer.community")
    resident = factory.SubFactory(
        VerifiedResidentFactory,
        household=factory.SubFactory(HouseholdFactory, community=factory.SelfAttribute("...community")),
    )
