from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery, Sum
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


def _legs_sum(**lookups: Any) -> Coalesce:
    legs = Leg.objects.filter(account=OuterRef("pk"), **lookups).order_by().values("account")
    return Coalesce(Subquery(legs.annotate(total=Sum("amount")).values("total")), 0)


def balance_at(account: Account, moment: datetime) -> int:
    """The account's raw balance just before `moment`.

    Counted back from the kept balance, so only the legs since `moment` are read (one range of the
    (account, posted_at) index): the periods people ask about are recent, the history long. One
    statement, so a posting committed meanwhile cannot be half-seen.
    """
    row = Account.objects.filter(pk=account.pk).annotate(since=_legs_sum(posted_at__gte=moment))
    return int(row.values_list(F("balance") - F("since"), flat=True).get())


def statement(account: Account, start: datetime, end: datetime) -> Statement:
    """Opening balance, debits and credits of one account over a period, in one query."""
    sums = (
        Account.objects.filter(pk=account.pk)
        .annotate(
            since=_legs_sum(posted_at__gte=start),
            debits=_legs_sum(posted_at__gte=start, posted_at__lt=end, amount__gt=0),
            credits=_legs_sum(posted_at__gte=start, posted_at__lt=end, amount__lt=0),
        )
        .values("balance", "since", "debits", "credits")
        .get()
    )
    opening = int(sums["balance"]) - int(sums["since"])
    return Statement(account, start, end, opening, int(sums["debits"]), int(sums["credits"]))


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
