from collections.abc import Callable

import pytest
from django.db import IntegrityError, transaction

from tests.factories.market import OfferFactory, RequestFactory, VerifiedResidentFactory
from tests.market.conftest import Market, pool_balance, time_balance, took_place
from volunteers.market.exceptions import IllegalTransition, MarketError
from volunteers.market.models import Request
from volunteers.market.services import (
    accept_request,
    cancel_request,
    complete_request,
    mark_no_show,
    request_service,
)
from yicang.community.models import Household, Resident, User
from yicang.ledger.models import Account, Leg, Transaction
from yicang.ledger.services import credit_time

pytestmark = pytest.mark.django_db

Step = Callable[..., Request]
STEPS: dict[str, Step] = {
    "accepted": accept_request,
    "cancelled": cancel_request,
    "done": complete_request,
    "no_show": mark_no_show,
}
ALLOWED = {("requested", "accepted"), ("requested", "cancelled"), ("accepted", "done")}
ALLOWED |= {("accepted", "cancelled"), ("accepted", "no_show")}


def _earn(household: Household | None, minutes: int) -> None:
    """Credit the household for time given, as a confirmed time donation would."""
    assert household is not None
    credit_time(
        household=household,
        minutes=minutes,
        reason="送物资",
        by=None,
        cause=household,
        idempotency_key=f"earn-{minutes}",
    )


def _accepted(market: Market, resident: Resident | None = None) -> Request:
    made = request_service(offer=market.offer, resident=resident or market.resident)
    accepted = accept_request(service_request=made, by=market.manager)
    took_place(market.offer)
    return accepted


def _in_status(market: Market, status: str) -> Request:
    made = request_service(offer=market.offer, resident=market.resident)
    took_place(market.offer)
    if status == "done":
        return complete_request(
            service_request=accept_request(service_request=made, by=market.manager), by=market.manager
        )
    Request.objects.filter(pk=made.pk).update(status=status)
    made.refresh_from_db()
    return made


@pytest.mark.parametrize("start", ["requested", "accepted", "done", "cancelled", "no_show"])
@pytest.mark.parametrize("to", list(STEPS))
def test_the_state_machine_allows_only_its_steps(market: Market, start: str, to: str) -> None:
    made = _in_status(market, start)
    before = Transaction.objects.count()

    if (start, to) in ALLOWED:
        moved = STEPS[to](service_request=made, by=market.manager)
        assert (moved.status, moved.decided_by) == (to, market.manager)
        assert moved.decided_at is not None
    else:
        with pytest.raises(IllegalTransition, match="this one is"):
            STEPS[to](service_request=made, by=market.manager)
        made.refresh_from_db()
        assert made.status == start

    # Only completing moves time, and only once.
    assert Transaction.objects.count() == before + ((start, to) == ("accepted", "done"))


@pytest.mark.parametrize("step", [complete_request, mark_no_show])
def test_done_and_no_show_wait_until_the_service_has_started(market: Market, step: Step) -> None:
    accepted = accept_request(
        service_request=request_service(offer=market.offer, resident=market.resident), by=market.manager
    )

    with pytest.raises(IllegalTransition, match="has not started yet"):
        step(service_request=accepted, by=market.manager)

    accepted.refresh_from_db()
    assert accepted.status == "accepted"
    assert not Transaction.objects.exists()


def test_a_household_with_enough_credit_pays_the_volunteers_household(market: Market) -> None:
    payer, payee = market.resident.household, market.volunteer.resident.household
    _earn(payer, 90)
    accepted = _accepted(market)

    done = complete_request(service_request=accepted, by=market.manager)

    assert (done.status, done.paid_by) == ("done", "household")
    assert (time_balance(payer), time_balance(payee), pool_balance(market.community)) == (30, 60, -90)
    assert done.credit is not None
    assert (done.credit.idempotency_key, done.credit.cause, done.credit.reason) == (
        f"service-request-{done.pk}",
        done,
        "Service: 义剪",
    )
    legs = sorted(Leg.objects.filter(transaction=done.credit).values_list("account__household__name", "amount"))
    assert legs == [("李家", 60), ("王家", -60)]


def test_without_enough_credit_the_community_gives_the_service(market: Market) -> None:
    payer, payee = market.resident.household, market.volunteer.resident.household
    _earn(payer, 30)
    accepted = _accepted(market)

    done = complete_request(service_request=accepted, by=market.manager)

    assert done.paid_by == "community"
    assert (time_balance(payer), time_balance(payee), pool_balance(market.community)) == (30, 60, -90)
    assert done.credit is not None
    legs = sorted(Leg.objects.filter(transaction=done.credit).values_list("account__kind", "amount"))
    assert legs == [("time", 60), ("time_pool", -60)]


def test_a_household_without_an_account_is_served_by_the_community_and_gets_no_empty_account(
    market: Market,
) -> None:
    done = complete_request(service_request=_accepted(market), by=market.manager)

    assert done.paid_by == "community"
    assert time_balance(market.resident.household) is None
    assert (time_balance(market.volunteer.resident.household), pool_balance(market.community)) == (60, -60)


def test_a_requester_without_a_household_is_served_by_the_community(market: Market) -> None:
    lodger = VerifiedResidentFactory(household=None, community=market.community)

    done = complete_request(service_request=_accepted(market, lodger), by=market.manager)

    assert done.paid_by == "community"
    assert time_balance(market.volunteer.resident.household) == 60


def test_completing_twice_is_refused_and_credits_once(market: Market) -> None:
    accepted = _accepted(market)
    complete_request(service_request=accepted, by=market.manager)

    with pytest.raises(IllegalTransition, match="Only an accepted request can be marked done; this one is done"):
        complete_request(service_request=accepted, by=market.manager)

    assert Transaction.objects.count() == 1
    assert time_balance(market.volunteer.resident.household) == 60


def test_a_volunteer_without_a_household_cannot_be_credited_and_nothing_is_written(market: Market) -> None:
    Resident.objects.filter(pk=market.volunteer.resident_id).update(household=None)
    accepted = _accepted(market)

    with pytest.raises(MarketError, match="李志愿 belongs to no household"):
        complete_request(service_request=accepted, by=market.manager)

    accepted.refresh_from_db()
    assert (accepted.status, accepted.credit, accepted.paid_by) == ("accepted", None, "")
    assert not Transaction.objects.exists()
    assert not Account.objects.exists()


def test_a_no_show_moves_no_time(market: Market) -> None:
    _earn(market.resident.household, 120)

    missed = mark_no_show(service_request=_accepted(market), by=market.manager)

    assert (missed.status, missed.credit, missed.paid_by) == ("no_show", None, "")
    assert (time_balance(market.resident.household), Transaction.objects.count()) == (120, 1)


def test_the_database_credits_a_request_if_and_only_if_it_is_done(market: Market) -> None:
    made = RequestFactory(offer=market.offer)

    with pytest.raises(IntegrityError, match="request_credited_iff_done"), transaction.atomic():
        Request.objects.filter(pk=made.pk).update(status="done")
    with pytest.raises(IntegrityError, match="request_credited_iff_done"), transaction.atomic():
        Request.objects.filter(pk=made.pk).update(paid_by="community")


def test_each_request_of_an_offer_moves_the_offers_minutes(market: Market) -> None:
    offer = OfferFactory(volunteer=market.volunteer, minutes=45, capacity=2)
    market.offer = offer
    neighbour = VerifiedResidentFactory(household__community=market.community)
    made = [request_service(offer=offer, resident=r) for r in (market.resident, neighbour)]
    took_place(offer)

    for service_request in made:
        complete_request(
            service_request=accept_request(service_request=service_request, by=market.manager), by=market.manager
        )

    assert time_balance(market.volunteer.resident.household) == 90
    assert sorted(Transaction.objects.values_list("idempotency_key", flat=True)) == sorted(
        f"service-request-{r.pk}" for r in made
    )


def test_staff_and_residents_are_recorded_as_who_changed_a_request(market: Market) -> None:
    made = request_service(offer=market.offer, resident=market.resident)
    resident_user = market.resident.user
    assert isinstance(resident_user, User)

    cancelled = cancel_request(service_request=made, by=resident_user)

    assert (cancelled.status, cancelled.decided_by) == ("cancelled", resident_user)
