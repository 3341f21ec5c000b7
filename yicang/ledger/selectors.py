from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from yicang.ledger.models import Account, Leg


@dataclass(frozen=True)
class Statement:
    """An account over a period [start, end), in raw (debit-positive) amounts."""

    account: Account
    start: datetime
    end: datetime
    opening: int
    debits: int
    credits: int

    @property
    def closing(self) -> int:
        return self.opening + self.debits + self.credits


def balance_at(account: Account, moment: datetime) -> int:
    """The account's raw balance just before `moment`: one range of the (account, posted_at) index."""
    total = Leg.objects.filter(account=account, posted_at__lt=moment).aggregate(total=Sum("amount"))["total"]
    return int(total or 0)


def statement(account: Account, start: datetime, end: datetime) -> Statement:
    """Opening balance, debits and credits of one account over a period, in one query."""
    sums = Leg.objects.filter(account=account, posted_at__lt=end).aggregate(
        opening=Coalesce(Sum("amount", filter=Q(posted_at__lt=start)), 0),
        debits=Coalesce(Sum("amount", filter=Q(posted_at__gte=start, amount__gt=0)), 0),
        credits=Coalesce(Sum("amount", filter=Q(posted_at__gte=start, amount__lt=0)), 0),
    )
    return Statement(account, start, end, int(sums["opening"]), int(sums["debits"]), int(sums["credits"]))


def totals_by_unit() -> dict[str, int]:
    """The sum of every leg in the book per unit; zero in a sound book."""
    rows = Leg.objects.order_by().values("account__unit").annotate(total=Sum("amount"))
    return {row["account__unit"]: int(row["total"]) for row in rows}


def unbalanced_transactions() -> QuerySet[Leg, dict[str, Any]]:
    """(transaction, unit, total) of every transaction whose legs do not sum to zero in a unit."""
    rows: QuerySet[Leg, dict[str, Any]] = (
        Leg.objects.order_by().values("transaction_id", "account__unit").annotate(total=Sum("amount")).exclude(total=0)
    )
    return rows


def drifted_balances() -> QuerySet[Account]:
    """Accounts whose kept balance differs from the sum of their legs."""
    return (
        Account.objects.annotate(legs_total=Coalesce(Sum("legs__amount"), 0))
        .exclude(balance=F("legs_total"))
        .order_by("pk")
    )
