"""The store: warehouses and Yicang Stops, donations and their coded items, and each item's history.

An item's status is derived from its events: every change is an ItemEvent recorded by a service
(services.py) that also moves `Item.status`, and PostgreSQL checks at commit that the two agree and
that the event followed an allowed transition (migration 0002). Events are never changed or deleted.
"""

import operator
from functools import reduce
from typing import ClassVar

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from donors.models import AssistantEnterprise, CompassionFamily
from stores.codes import display, new_code
from yicang.community.models import AppendOnly, AppendOnlyQuerySet, CommunityOwned, User
from yicang.core.text import PUBLIC_TEXT


class Warehouse(CommunityOwned):
    """A community's Yicang store, or a Yicang Stop (义仓站): a small point that takes small donations."""

    class Kind(models.TextChoices):
        STORE = "store", _("Yicang store")
        STOP = "stop", _("Yicang Stop")

    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices, default=Kind.STORE)
    manager = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_warehouses",
        verbose_name=_("warehouse manager"),
    )
    # The public trace names only this, never a street address of a family.
    public_place = models.CharField(
        _("place shown publicly"),
        max_length=80,
        help_text=_("e.g. 水井坊社区义仓 — never a family's address."),
        validators=PUBLIC_TEXT,
    )
    check_every_days = models.PositiveSmallIntegerField(
        _("inventory check every (days)"),
        null=True,
        blank=True,
        help_text=_("The worker opens a check when this many days have passed since the last; empty: no schedule."),
        validators=[MinValueValidator(1)],
    )

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["community_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="warehouse_unique_name"),
            models.CheckConstraint(
                condition=Q(check_every_days__isnull=True) | Q(check_every_days__gte=1),
                name="warehouse_check_every_day_or_more",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """What kind of thing an item is, and how it is counted; shared by every community."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    unit = models.CharField(_("unit"), max_length=12, help_text=_("e.g. kg, 袋, 件, 瓶"))
    perishable = models.BooleanField(_("has an expiry date"), default=False)

    class Meta:
        verbose_name = pgettext_lazy("kind of item", "category")
        verbose_name_plural = pgettext_lazy("kind of item", "categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Donation(CommunityOwned):
    """One donor's gift received at one place and time, of one or many items."""

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="donations", verbose_name=_("received at")
    )
    family = models.ForeignKey(
        CompassionFamily,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donations",
        verbose_name=_("compassion family"),
    )
    enterprise = models.ForeignKey(
        AssistantEnterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donations",
        verbose_name=_("assistant enterprise"),
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    received_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("received by"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Sent with the intake form: the same form submitted twice (a double tap, a retry) is one donation.
    intake_key = models.UUIDField(_("intake key"), null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-received_at", "-pk"]
        constraints = [
            # A family, an enterprise, or nobody named (anonymous) — never both.
            models.CheckConstraint(
                condition=Q(family__isnull=True) | Q(enterprise__isnull=True), name="donation_one_donor"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.donor_label}"

    @property
    def donor_label(self) -> str:
        return str(self.family or self.enterprise or _("anonymous"))


# Statuses in which an item belongs to a delivery (Item.delivery).
ON_A_DELIVERY = ["reserved", "dispatched", "delivered"]


class Item(CommunityOwned):
    class Status(models.TextChoices):
        IN_STOCK = "in_stock", _("in stock")
        RESERVED = "reserved", _("reserved")
        DISPATCHED = "dispatched", _("out for delivery")
        DELIVERED = "delivered", _("delivered")
        SOLD = "sold", _("sold at a market")
        WRITTEN_OFF = "written_off", _("written off")

    code = models.CharField(_("code"), max_length=14, unique=True, default=new_code, editable=False)
    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="items", verbose_name=_("donation"))
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="items", verbose_name=pgettext_lazy("kind of item", "category")
    )
    description = models.CharField(_("description"), max_length=120, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=12)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="items", verbose_name=_("where it is")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, editable=False)
    public = models.BooleanField(
        _("traceable publicly"), default=True, help_text=_("Off: the public trace answers as for an unknown code.")
    )
    # The delivery the item is reserved for, out on, or was delivered by; never shown publicly.
    delivery = models.ForeignKey(
        "stores.Delivery",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("delivery"),
        editable=False,
    )

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["community", "status"], name="item_community_status"),
            models.Index(fields=["warehouse", "status"], name="item_warehouse_status"),
            models.Index(fields=["expires_on"], name="item_expires_on", condition=Q(expires_on__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="item_quantity_positive"),
            # Only an item on its way to a family, or given to one, belongs to a delivery;
            # one out for delivery always does.
            models.CheckConstraint(
                condition=Q(delivery__isnull=True) | Q(status__in=ON_A_DELIVERY), name="item_delivery_when_on_one"
            ),
            models.CheckConstraint(
                condition=~Q(status="dispatched") | Q(delivery__isnull=False), name="item_dispatched_on_a_delivery"
            ),
        ]

    def __str__(self) -> str:
        return f"{display(self.code)} {self.category}"

    @property
    def code_display(self) -> str:
        return display(self.code)


class EventKind(models.TextChoices):
    RECEIVED = "received", _("received")
    MOVED = "moved", _("moved")
    CHECKED = "checked", _("checked")
    RESERVED = "reserved", _("reserved")
    UNRESERVED = "unreserved", _("reservation released")
    DISPATCHED = "dispatched", _("dispatched")
    DELIVERED = "delivered", _("delivered")
    RETURNED = "returned", _("returned to stock")
    SOLD = "sold", _("sold at a market")
    WRITTEN_OFF = "written_off", _("written off")
    CORRECTED = "corrected", _("corrected")


_S = Item.Status
# What each kind of event may start from ("" is "no event yet") and the status it leaves the item in.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    EventKind.RECEIVED: (("",), _S.IN_STOCK),
    EventKind.MOVED: ((_S.IN_STOCK,), _S.IN_STOCK),
    EventKind.CHECKED: ((_S.IN_STOCK,), _S.IN_STOCK),
    EventKind.RESERVED: ((_S.IN_STOCK,), _S.RESERVED),
    EventKind.UNRESERVED: ((_S.RESERVED,), _S.IN_STOCK),
    EventKind.DISPATCHED: ((_S.IN_STOCK, _S.RESERVED), _S.DISPATCHED),
    EventKind.DELIVERED: ((_S.DISPATCHED,), _S.DELIVERED),
    EventKind.RETURNED: ((_S.DISPATCHED,), _S.IN_STOCK),
    EventKind.SOLD: ((_S.IN_STOCK,), _S.SOLD),
    EventKind.WRITTEN_OFF: ((_S.IN_STOCK, _S.RESERVED), _S.WRITTEN_OFF),
    # A mistake undone: an item wrongly written off, sold or delivered is back in stock.
    EventKind.CORRECTED: ((_S.WRITTEN_OFF, _S.SOLD, _S.DELIVERED), _S.IN_STOCK),
}
NEEDS_REASON = {EventKind.WRITTEN_OFF, EventKind.CORRECTED}


def _allowed_transitions() -> Q:
    steps = [Q(kind=kind, from_status__in=starts, to_status=leaves) for kind, (starts, leaves) in TRANSITIONS.items()]
    return reduce(operator.or_, steps)


class ItemEvent(AppendOnly):
    """One step of an item's history: only the steps in TRANSITIONS, here and in the database."""

    community_path: ClassVar[str] = "item__community"
    Kind = EventKind

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="events", verbose_name=_("item"))
    kind = models.CharField(_("what happened"), max_length=12, choices=EventKind.choices)
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Item.Status.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("where")
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    delivery = models.ForeignKey(
        "stores.Delivery", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("delivery")
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("item event")
        verbose_name_plural = _("item events")
        ordering = ["item_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=_allowed_transitions(), name="itemevent_allowed_transition"),
            models.CheckConstraint(
                condition=~Q(kind__in=sorted(NEEDS_REASON)) | ~Q(reason=""), name="itemevent_reason_when_needed"
            ),
            models.CheckConstraint(
                condition=~Q(kind="dispatched") | Q(delivery__isnull=False), name="itemevent_dispatched_on_a_delivery"
            ),
        ]
        indexes = [models.Index(fields=["at"], name="itemevent_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
