"""Reads for the market's pages: each owns its joins and counts, so a page's queries do not grow with its rows."""

from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from volunteers.market.models import Offer, Request, VerificationRequest
from volunteers.models import Group, Membership
from yicang.community.models import Community, Household, Resident
from yicang.core.db import subquery_count
from yicang.ledger.models import Account


def places_taken() -> Coalesce:
    """An annotation of offers: the places their requests hold (requested, accepted or done)."""
    return subquery_count(Request.objects.filter(status__in=Request.TAKING_A_PLACE), "offer")


def offers_with_places() -> QuerySet[Offer]:
    """Offers with `taken`, the places their requests hold, and what their cards show."""
    return Offer.objects.select_related("community", "volunteer__resident").annotate(taken=places_taken())


def open_offers(*, community: Community | None) -> QuerySet[Offer]:
    """Offers still to come and open for requests, soonest first: of one community, or of all (None)."""
    offers = offers_with_places().filter(status=Offer.Status.OPEN, starts_at__gt=timezone.now())
    if community is not None:
        offers = offers.filter(community=community)
    return offers.order_by("starts_at", "pk")


def requests_of(resident: Resident) -> QuerySet[Request]:
    """A resident's own requests, newest first, with their offers."""
    return (
        Request.objects.filter(resident=resident)
        .select_related("offer__volunteer__resident")
        .order_by("-created_at", "-pk")
    )


def time_balance_of(household: Household | None) -> int:
    """The minutes a household's time account holds; none without an account (or a household)."""
    if household is None:
        return 0
    balance = (
        Account.objects.filter(household=household, kind=Account.Kind.TIME).values_list("balance", flat=True).first()
    )
    return balance or 0


def latest_verification(resident: Resident) -> VerificationRequest | None:
    """The resident's most recent residency verification, whatever its state."""
    return VerificationRequest.objects.filter(resident=resident).order_by("-created_at", "-pk").first()


def groups_to_join(resident: Resident) -> QuerySet[Group]:
    """Interest groups of the resident's community open to joining, with `members` and whether `joined`."""
    return (
        Group.objects.filter(community_id=resident.community_id, kind=Group.Kind.INTEREST, open_to_join=True)
        .annotate(
            members=subquery_count(Membership.objects.all(), "group"),
            joined=Exists(Membership.objects.filter(group=OuterRef("pk"), resident=resident)),
        )
        .order_by("name", "pk")
    )
