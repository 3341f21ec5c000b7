"""One household in all its roles: what it gave and received, in money and time, and what it is."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Sum

from donors.models import CompassionFamily
from recipients.models import RecipientFamily
from stores.models import Item
from yicang.community.models import Household, Resident
from yicang.ledger.models import Account, Leg, Transaction, Unit


@dataclass(frozen=True)
class Movement:
    at: datetime
    reason: str
    amount: int  # fen or minutes, as the household sees it: positive given, negative received
    unit: str


@dataclass(frozen=True)
class Goods:
    category: str
    unit: str
    items: int
    quantity: Decimal


@dataclass(frozen=True)
class GivenItem:
    code: str
    code_display: str
    category: str
    received_at: datetime
    status: str


@dataclass
class HouseholdOverview:
    household: Household
    members: list[Resident]
    donor: CompassionFamily | None
    recruits: int
    recipient: RecipientFamily | None
    categories: list[str]
    time_balance: int | None  # minutes credited to the household, None without a time account
    time_given: int
    time_received: int
    money_given: int  # fen
    money_received: int
    movements: list[Movement] = field(default_factory=list)
    goods_received: list[Goods] = field(default_factory=list)
    items_given: int = 0
    recent_items_given: list[GivenItem] = field(default_factory=list)


def household_overview(household: Household, *, recent: int = 20) -> HouseholdOverview:
    """The household's roles and its money and time, in a fixed number of queries.

    Time: the legs of its time account (credited = time given to others, debited = services received).
    Money: cash legs of transactions caused by the household (a gift in, or spending for it out).
    Goods: items its compassion family gave (with their codes, to follow them on the public trace) and
    items delivered to its recipient family, by category.
    """
    members = list(Resident.objects.filter(household=household).order_by("pk"))
    donor = CompassionFamily.objects.filter(household=household).annotate(recruit_count=Count("recruits")).first()
    recipient = RecipientFamily.objects.filter(household=household).first()
    categories = [str(v) for v in recipient.vulnerabilities.all()] if recipient else []
    time_account = Account.objects.filter(household=household, kind=Account.Kind.TIME).first()
    time_legs = Leg.objects.filter(account=time_account) if time_account else Leg.objects.none()
    time_sums = time_legs.aggregate(
        given=Sum("amount", filter=Q(amount__gt=0)), received=Sum("amount", filter=Q(amount__lt=0))
    )
    caused = Transaction.objects.filter(cause_type=ContentType.objects.get_for_model(Household), cause_id=household.pk)
    cash_legs = Leg.objects.filter(transaction__in=caused, account__kind=Account.Kind.CASH)
    money_sums = cash_legs.aggregate(
        given=Sum("amount", filter=Q(amount__gt=0)), received=Sum("amount", filter=Q(amount__lt=0))
    )
    recent_legs = (
        Leg.objects.filter(Q(pk__in=time_legs.values("pk")) | Q(pk__in=cash_legs.values("pk")))
        .select_related("transaction", "account")
        .order_by("-posted_at", "-pk")[:recent]
    )
    received = (
        Item.objects.filter(status=Item.Status.DELIVERED, delivery__family__household=household)
        .values_list("category__name", "category__unit")
        .annotate(items=Count("pk"), quantity=Sum("quantity"))
        .order_by("category__name")
    )
    given = Item.objects.filter(donation__family__household=household)
    recent_given = given.select_related("category", "donation").order_by("-pk")[:recent]
    return HouseholdOverview(
        household=household,
        members=members,
        donor=donor,
        recruits=donor.recruit_count if donor else 0,  # type: ignore[attr-defined]
        recipient=recipient,
        categories=categories,
        time_balance=time_account.shown_balance if time_account else None,
        time_given=int(time_sums["given"] or 0),
        time_received=-int(time_sums["received"] or 0),
        money_given=int(money_sums["given"] or 0),
        money_received=-int(money_sums["received"] or 0),
        movements=[
            Movement(
                at=leg.posted_at,
                reason=leg.transaction.reason,
                amount=leg.amount,
                unit=Unit.MINUTES if leg.account.kind == Account.Kind.TIME else Unit.CNY,
            )
            for leg in recent_legs
        ],
        goods_received=[Goods(category, unit, items, quantity) for category, unit, items, quantity in received],
        items_given=given.count(),
        recent_items_given=[
            GivenItem(
                code=item.code,
                code_display=item.code_display,
                category=item.category.name,
                received_at=item.donation.received_at,
                status=item.get_status_display(),
            )
            for item in recent_given
        ],
    )
