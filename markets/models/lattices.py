"""Charitable lattices (义坊): funds of CNY 1,000 shares that build small street shops run by
disadvantaged residents or their cooperatives."""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from donors.models import AssistantEnterprise
from markets.models.base import SHARE_FEN, MoneyEntry
from yicang.community.models import CommunityOwned, Resident, check_same_community
from yicang.core.text import PUBLIC_TEXT
from yicang.ledger.models import Account


class LatticeFund(CommunityOwned):
    """A fund raised in shares; its money is its own lattice-fund account in the ledger."""

    name = models.CharField(_("name"), max_length=120, help_text=_("e.g. 水井坊义坊基金"), validators=PUBLIC_TEXT)
    purpose = models.TextField(_("purpose"), blank=True, validators=PUBLIC_TEXT)
    account = models.OneToOneField(
        Account, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("ledger account")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("lattice fund")
        verbose_name_plural = _("lattice funds")
        ordering = ["community_id", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="latticefund_unique_name")]

    def __str__(self) -> str:
        return self.name


class Subscription(MoneyEntry):
    """Shares of a lattice fund bought by a person or an assistant enterprise: a line of the shareholder
    register. Posted `cash +amount, lattice fund -amount`."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("individual")
        ENTERPRISE = "enterprise", _("enterprise")

    fund = models.ForeignKey(
        LatticeFund, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("lattice fund")
    )
    kind = models.CharField(_("shareholder is"), max_length=10, choices=Kind.choices)
    person_name = models.CharField(
        _("name of the person"), max_length=80, blank=True, help_text=_("For staff; shown publicly only with consent.")
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resident"),
        help_text=_("If the person is a resident of the community."),
    )
    enterprise = models.ForeignKey(
        AssistantEnterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assistant enterprise"),
    )
    shares = models.PositiveIntegerField(_("shares"))
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    subscribed_at = models.DateTimeField(_("subscribed at"), default=timezone.now)
    public_consent = models.BooleanField(
        _("agrees to be named publicly"),
        default=False,
        help_text=_("The shareholder agreed that the public name below may appear in the shareholder register."),
    )
    public_name = models.CharField(_("public name"), max_length=80, blank=True, validators=PUBLIC_TEXT)

    class Meta(MoneyEntry.Meta):
        verbose_name = _("share subscription")
        verbose_name_plural = _("share subscriptions")
        ordering = ["-subscribed_at", "-pk"]
        constraints = [
            *MoneyEntry.Meta.constraints,
            models.CheckConstraint(condition=Q(shares__gte=1), name="subscription_at_least_one_share"),
            # Shares are whole CNY 1,000 each: the amount is never anything else.
            models.CheckConstraint(condition=Q(amount_fen=F("shares") * SHARE_FEN), name="subscription_whole_shares"),
            models.CheckConstraint(
                condition=Q(kind="enterprise", enterprise__isnull=False, resident__isnull=True, person_name="")
                | Q(kind="individual", enterprise__isnull=True) & ~Q(person_name=""),
                name="subscription_one_shareholder",
            ),
            models.CheckConstraint(
                condition=Q(public_consent=False) | ~Q(public_name=""),
                name="subscription_consent_has_public_name",
                violation_error_message=_("Give the name to show publicly, or leave the consent unticked."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shareholder} × {self.shares}"

    @property
    def shareholder(self) -> str:
        return str(self.enterprise) if self.enterprise_id else self.person_name


class Cooperative(CommunityOwned):
    """Disadvantaged residents who run a lattice shop together."""

    name = models.CharField(_("name"), max_length=120)
    members: "models.ManyToManyField[Resident, CooperativeMember]" = models.ManyToManyField(
        Resident, through="CooperativeMember", related_name="+", verbose_name=_("members")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("cooperative")
        verbose_name_plural = _("cooperatives")
        ordering = ["community_id", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="cooperative_unique_name")]

    def __str__(self) -> str:
        return self.name


class CooperativeMember(models.Model):
    community_path: ClassVar[str] = "cooperative__community"

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("cooperative")
    )
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+", verbose_name=_("resident"))
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)

    class Meta:
        verbose_name = _("cooperative member")
        verbose_name_plural = _("cooperative members")
        ordering = ["cooperative_id", "joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "resident"], name="cooperativemember_unique"),
        ]

    def __str__(self) -> str:
        return str(self.resident)

    def clean(self) -> None:
        super().clean()
        if self.cooperative_id is not None and self.resident_id is not None:
            check_same_community(self.cooperative.community_id, self.resident, "resident")


class LatticeShop(CommunityOwned):
    """A small shop in public street space built with a lattice fund's grants; one operator runs it."""

    fund = models.ForeignKey(
        LatticeFund, on_delete=models.PROTECT, related_name="shops", verbose_name=_("lattice fund")
    )
    name = models.CharField(_("name"), max_length=120, validators=PUBLIC_TEXT)
    place = models.CharField(
        _("place"), max_length=120, help_text=_("The street place, e.g. 水井街口."), validators=PUBLIC_TEXT
    )
    sells = models.CharField(_("what it sells"), max_length=200, validators=PUBLIC_TEXT)
    operator = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator"),
        help_text=_("The disadvantaged resident who runs it (or choose a cooperative). Never shown publicly."),
    )
    cooperative = models.ForeignKey(
        Cooperative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shops",
        verbose_name=_("cooperative"),
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("lattice shop")
        verbose_name_plural = _("lattice shops")
        ordering = ["community_id", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(operator__isnull=False, cooperative__isnull=True)
                | Q(operator__isnull=True, cooperative__isnull=False),
                name="latticeshop_one_operator",
                violation_error_message=_("A shop is run by one resident or by one cooperative."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if (self.operator_id is None) == (self.cooperative_id is None):
            raise ValidationError(_("A shop is run by one resident or by one cooperative: choose one of them."))
        if self.fund_id is not None:
            check_same_community(self.community_id, self.fund, "fund")
        check_same_community(self.community_id, self.operator, "operator")
        check_same_community(self.community_id, self.cooperative, "cooperative")


class ShopGrant(MoneyEntry):
    """Money from the shop's lattice fund to the shop: `lattice fund +amount, shop's account -amount`."""

    shop = models.ForeignKey(LatticeShop, on_delete=models.PROTECT, related_name="grants", verbose_name=_("shop"))
    fund = models.ForeignKey(LatticeFund, on_delete=models.PROTECT, related_name="grants", verbose_name=_("fund"))
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    purpose = models.CharField(_("purpose"), max_length=200, help_text=_("e.g. 货架与招牌"), validators=PUBLIC_TEXT)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta(MoneyEntry.Meta):
        verbose_name = _("shop grant")
        verbose_name_plural = _("shop grants")
        ordering = ["-granted_at", "-pk"]
        constraints = [
            *MoneyEntry.Meta.constraints,
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="shopgrant_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.shop} ¥{self.amount_fen / 100:,.2f}"


class ShopRevenueReport(CommunityOwned):
    """What a shop took in a month, as its operator reports it. The shop's takings are its operator's
    income, not the programme's money, so they are recorded here and not in the ledger."""

    shop = models.ForeignKey(
        LatticeShop, on_delete=models.PROTECT, related_name="revenue_reports", verbose_name=_("shop")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month reported."))
    revenue_fen = models.PositiveBigIntegerField(_("revenue (fen)"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("monthly revenue report")
        verbose_name_plural = _("monthly revenue reports")
        ordering = ["shop_id", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "month"],
                name="shoprevenuereport_one_per_month",
                violation_error_message=_("This shop already reported that month; change that report instead."),
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="shoprevenuereport_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.shop} {self.month:%Y-%m}"

    def clean(self) -> None:
        super().clean()
        if self.month is not None and self.month.day != 1:
            self.month = self.month.replace(day=1)
        if self.month is not None and self.month > timezone.localdate():
            raise ValidationError({"month": _("A month is reported once it has begun.")})
        if self.shop_id is not None:
            check_same_community(self.community_id, self.shop, "shop")
