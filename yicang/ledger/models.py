"""The book: accounts, and transactions made of legs whose amounts sum to zero in each unit.

Amounts are integers: fen for money (CNY), minutes for time. A leg's sign is the usual one of
double-entry: positive is a debit, negative a credit. Cash and time accounts hold debits; funds,
grants and the community's time pool hold credits, so their balance is shown with the sign turned.
Transactions and legs are append-only; a correction is a reversal transaction linked to the original.
"""

from typing import Any, ClassVar

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yicang.community.models import AppendOnly, AppendOnlyQuerySet, CommunityOwned, Household, User


class Unit(models.TextChoices):
    CNY = "CNY", _("yuan")
    MINUTES = "MIN", _("minutes")


class Policy(models.TextChoices):
    NEVER_NEGATIVE = "never_negative", _("never below zero")
    NOT_NEGATIVE_UNLESS_ALLOWED = "unless_allowed", _("not below zero unless allowed")
    UNRESTRICTED = "unrestricted", _("unrestricted")


class Account(CommunityOwned):
    class Kind(models.TextChoices):
        CASH = "cash", _("cash")
        COMMUNITY_FUND = "community_fund", _("community fund")
        YICANG_FUND = "yicang_fund", _("Yicang fund")
        LATTICE_FUND = "lattice_fund", _("lattice fund")
        GRANT = "grant", _("small grant")
        TIME = "time", _("household time account")
        TIME_POOL = "time_pool", _("community time pool")

    # (unit, holds credits, policy) of each kind. The time pool is the community's side of every
    # hour credited to a household: it may grow without bound, the households' accounts may not.
    RULES: ClassVar[dict[str, tuple[str, bool, str]]] = {
        Kind.CASH: (Unit.CNY, False, Policy.NEVER_NEGATIVE),
        Kind.COMMUNITY_FUND: (Unit.CNY, True, Policy.NOT_NEGATIVE_UNLESS_ALLOWED),
        Kind.YICANG_FUND: (Unit.CNY, True, Policy.NOT_NEGATIVE_UNLESS_ALLOWED),
        Kind.LATTICE_FUND: (Unit.CNY, True, Policy.NOT_NEGATIVE_UNLESS_ALLOWED),
        Kind.GRANT: (Unit.CNY, True, Policy.NOT_NEGATIVE_UNLESS_ALLOWED),
        Kind.TIME: (Unit.MINUTES, False, Policy.NOT_NEGATIVE_UNLESS_ALLOWED),
        Kind.TIME_POOL: (Unit.MINUTES, True, Policy.UNRESTRICTED),
    }
    ONE_PER_COMMUNITY: ClassVar[list[str]] = [Kind.COMMUNITY_FUND, Kind.YICANG_FUND, Kind.TIME_POOL]

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    unit = models.CharField(_("unit"), max_length=3, choices=Unit.choices, editable=False)
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name=_("household"),
        help_text=_("The household whose time this account holds (time accounts only)."),
    )
    # The owner in an app above this one (a lattice shop, a forum's small grant).
    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    owner_id = models.PositiveBigIntegerField(null=True, blank=True)
    owner = GenericForeignKey("owner_type", "owner_id")
    allow_negative = models.BooleanField(
        _("may go below zero"),
        default=False,
        help_text=_("Lets a time account or a fund be overdrawn; cash never can."),
    )
    # The sum of the account's legs, kept by post_transaction under a row lock so that policies can
    # be checked without summing every leg; `manage.py check_ledger` proves it equal to the legs.
    balance = models.BigIntegerField(_("balance"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["community_id", "kind", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["cash", "community_fund", "yicang_fund", "lattice_fund", "grant"], unit=Unit.CNY)
                | Q(kind__in=["time", "time_pool"], unit=Unit.MINUTES),
                name="account_unit_fits_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind="time", household__isnull=False) | (~Q(kind="time") & Q(household__isnull=True)),
                name="account_household_iff_time",
            ),
            models.UniqueConstraint(
                fields=["household"], condition=Q(kind="time"), name="account_one_time_per_household"
            ),
            models.UniqueConstraint(
                fields=["community", "kind"],
                condition=Q(kind__in=["community_fund", "yicang_fund", "time_pool"]),
                name="account_one_fund_of_a_kind_per_community",
            ),
            # The policies, as the database's last word on the maintained balance.
            models.CheckConstraint(condition=~Q(kind="cash") | Q(balance__gte=0), name="account_cash_never_negative"),
            models.CheckConstraint(
                condition=Q(allow_negative=True) | ~Q(kind="time") | Q(balance__gte=0),
                name="account_time_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(allow_negative=True)
                | ~Q(kind__in=["community_fund", "yicang_fund", "lattice_fund", "grant"])
                | Q(balance__lte=0),
                name="account_fund_not_overdrawn",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.unit = self.RULES[self.kind][0]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.kind == self.Kind.CASH and self.allow_negative:
            raise ValidationError({"allow_negative": _("Cash can never go below zero.")})
        if self.household is not None and self.household.community_id != self.community_id:
            raise ValidationError({"household": _("The household belongs to another community.")})
        if self.kind in self.RULES and not self.permits(self.balance):
            raise ValidationError(
                {"allow_negative": _("The account is below zero now; bring it back before forbidding that.")}
            )

    @property
    def holds_credits(self) -> bool:
        return self.RULES[self.kind][1]

    @property
    def policy(self) -> str:
        return self.RULES[self.kind][2]

    def shown(self, raw: int) -> int:
        """A raw (debit-positive) amount as people read this account: a fund's money is positive."""
        return -raw if self.holds_credits else raw

    @property
    def shown_balance(self) -> int:
        return self.shown(self.balance)

    def permits(self, raw_balance: int) -> bool:
        if self.policy == Policy.UNRESTRICTED:
            return True
        if self.policy == Policy.NOT_NEGATIVE_UNLESS_ALLOWED and self.allow_negative:
            return True
        return self.shown(raw_balance) >= 0


class Transaction(AppendOnly, CommunityOwned):
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now, db_index=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    reason = models.CharField(_("reason"), max_length=200)
    cause_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    cause_id = models.PositiveBigIntegerField(null=True, blank=True)
    cause = GenericForeignKey("cause_type", "cause_id")
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, null=True, blank=True, unique=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversal", verbose_name=_("reverses")
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    objects = AppendOnlyQuerySet.as_manager()  # type: ignore[misc]  # narrows the inherited manager

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        ordering = ["-posted_at", "-pk"]
        permissions = [("reverse_transaction", _("Can reverse a transaction"))]
        indexes = [models.Index(fields=["cause_type", "cause_id"], name="transaction_cause")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.reason}"


class Leg(AppendOnly):
    community_path: ClassVar[str] = "transaction__community"

    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="legs", verbose_name=_("transaction")
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="legs", verbose_name=_("account"))
    amount = models.BigIntegerField(_("amount"))
    # The transaction's time, copied so that a balance at a date is one index range per account.
    posted_at = models.DateTimeField(_("posted at"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("leg")
        verbose_name_plural = _("legs")
        ordering = ["transaction_id", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="leg_amount_not_zero")]
        indexes = [models.Index(fields=["account", "posted_at"], include=["amount"], name="leg_account_posted_at")]

    def __str__(self) -> str:
        return f"{self.account} {self.amount:+d}"


# The public log's rows live in their own module; importing them here makes them models of this app.
from yicang.ledger.log.models import Checkpoint, LogChunk, LogEntry, LogHead  # noqa: E402

__all__ = [
    "Account",
    "Checkpoint",
    "Leg",
    "LogChunk",
    "LogEntry",
    "LogHead",
    "Policy",
    "Transaction",
    "Unit",
]
