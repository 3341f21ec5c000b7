"""Charitable markets (义集): residents sell used things at stalls; the proceeds go to the Yicang fund."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from markets.models.base import MoneyEntry
from stores.models import Item, ItemEvent
from yicang.community.models import CommunityOwned, Resident, User, check_same_community
from yicang.core.text import PUBLIC_TEXT


class Market(CommunityOwned):
    class Status(models.TextChoices):
        OPEN = "open", _("open for sales")
        CLOSED = "closed", _("closed")

    title = models.CharField(_("title"), max_length=120, help_text=_("e.g. 水井坊十一月义集"), validators=PUBLIC_TEXT)
    held_on = models.DateField(_("held on"), default=timezone.localdate)
    place = models.CharField(
        _("place"), max_length=120, help_text=_("A public place, e.g. 水井坊社区广场."), validators=PUBLIC_TEXT
    )
    status = models.CharField(_("status"), max_length=6, choices=Status.choices, default=Status.OPEN, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("closed by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("charitable market")
        verbose_name_plural = _("charitable markets")
        ordering = ["-held_on", "-pk"]
        permissions = [("close_market", _("Can close a charitable market"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True) | Q(status="closed", closed_at__isnull=False),
                name="market_closed_at_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Stall(CommunityOwned):
    """A stall of a market; its seller is a resident, or nobody for the centre's own stall of store items."""

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="stalls", verbose_name=_("market"))
    number = models.PositiveSmallIntegerField(_("stall number"))
    seller = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="market_stalls",
        verbose_name=_("seller"),
        help_text=_("The resident selling here; empty for the centre's own stall of store items."),
    )
    description = models.CharField(_("what is sold"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("stall")
        verbose_name_plural = _("stalls")
        ordering = ["market_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["market", "number"], name="stall_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="stall_number_positive"),
        ]

    def __str__(self) -> str:
        return _("Stall %(number)s") % {"number": self.number}

    def clean(self) -> None:
        super().clean()
        if self.market_id is not None:
            check_same_community(self.community_id, self.market, "market")
        check_same_community(self.community_id, self.seller, "seller")


class Sale(MoneyEntry):
    """One thing sold at a stall; its price is posted `cash +price, Yicang fund -price`.

    A store item sold at the market is named too, and gets its "sold" event in the same transaction.
    """

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="sales", verbose_name=_("market"))
    stall = models.ForeignKey(Stall, on_delete=models.PROTECT, related_name="sales", verbose_name=_("stall"))
    what = models.CharField(_("what was sold"), max_length=120, validators=PUBLIC_TEXT)
    price_fen = models.PositiveBigIntegerField(_("price (fen)"))
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("store item")
    )
    item_event = models.OneToOneField(
        ItemEvent, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    sold_at = models.DateTimeField(_("sold at"), default=timezone.now)

    class Meta(MoneyEntry.Meta):
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        ordering = ["-sold_at", "-pk"]
        permissions = [("void_sale", _("Can undo a sale recorded by mistake"))]
        constraints = [
            *MoneyEntry.Meta.constraints,
            models.CheckConstraint(condition=Q(price_fen__gt=0), name="sale_price_positive"),
            models.CheckConstraint(
                condition=Q(item__isnull=True, item_event__isnull=True)
                | Q(item__isnull=False, item_event__isnull=False),
                name="sale_item_has_its_event",
            ),
        ]
        indexes = [models.Index(fields=["market", "stall"], name="sale_market_stall")]

    def __str__(self) -> str:
        return f"{self.what} ¥{self.price_fen / 100:,.2f}"


class MarketActivity(CommunityOwned):
    """What else the market offers: a free clinic, a charitable performance, an NGO exhibition."""

    class Kind(models.TextChoices):
        CLINIC = "clinic", _("free clinic")
        PERFORMANCE = "performance", _("charitable performance")
        EXHIBITION = "exhibition", _("NGO exhibition")
        OTHER = "other", _("other activity")

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="activities", verbose_name=_("market"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120, validators=PUBLIC_TEXT)
    host = models.CharField(
        _("host"),
        max_length=120,
        help_text=_("The organisation that runs it, e.g. 锦江区人民医院义诊队."),
        validators=PUBLIC_TEXT,
    )
    people_served = models.PositiveIntegerField(_("people served"), null=True, blank=True)

    class Meta:
        verbose_name = _("market activity")
        verbose_name_plural = _("market activities")
        ordering = ["market_id", "kind", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.market_id is not None:
            check_same_community(self.community_id, self.market, "market")
