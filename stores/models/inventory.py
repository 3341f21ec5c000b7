"""Inventory checks (盘点): what staff scanned on the shelves against what the store says is there.

A check is open while staff scan; closing it computes findings (missing, unexpected, misplaced,
expired, and stale: counts a movement during the check made unreliable) and proposes an adjustment for
each; staff approve or decline them, and an approved adjustment becomes an item event.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stores.models.items import Item, ItemEvent, Warehouse
from yicang.community.models import CommunityOwned, User


class InventoryCheck(CommunityOwned):
    class Status(models.TextChoices):
        OPEN = "open", _("scanning")
        REVIEW = "review", _("adjustments to approve")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="inventory_checks", verbose_name=_("warehouse")
    )
    status = models.CharField(_("status"), max_length=9, choices=Status.choices, default=Status.OPEN)
    scheduled = models.BooleanField(_("opened by the schedule"), default=False, editable=False)
    started_at = models.DateTimeField(_("started at"), default=timezone.now, editable=False)
    started_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("started by")
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("closed by")
    )

    class Meta:
        verbose_name = _("inventory check")
        verbose_name_plural = _("inventory checks")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "review", "done", "cancelled"]), name="inventorycheck_status"
            ),
            # One check at a time per warehouse: two would count the same shelves against each other.
            models.UniqueConstraint(
                fields=["warehouse"], condition=Q(status__in=["open", "review"]), name="inventorycheck_one_open"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(closed_at__isnull=False), name="inventorycheck_closed_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse} {timezone.localtime(self.started_at):%Y-%m-%d} #{self.pk}"


class CheckScan(models.Model):
    """One code scanned or typed during a check; the same item scanned twice counts once."""

    community_path = "inventory_check__community"

    inventory_check = models.ForeignKey(
        InventoryCheck, on_delete=models.CASCADE, related_name="scans", verbose_name=_("check")
    )
    code = models.CharField(_("code"), max_length=14)
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("item")
    )
    at = models.DateTimeField(_("scanned at"), default=timezone.now)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("scanned by"))

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        ordering = ["inventory_check_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["inventory_check", "code"], name="checkscan_once_per_code")]

    # Not stored: record_scan sets it when the code had been scanned before in this check.
    already_scanned = False

    def __str__(self) -> str:
        return self.code


class CheckFinding(models.Model):
    """A difference found when a check closed, and the adjustment proposed for it."""

    community_path = "inventory_check__community"

    class Kind(models.TextChoices):
        MISSING = "missing", _("missing")
        UNEXPECTED = "unexpected", _("unexpected")
        MISPLACED = "misplaced", _("misplaced")
        EXPIRED = "expired", _("expired")
        STALE = "stale", _("moved during the check")

    class Proposal(models.TextChoices):
        WRITE_OFF = "write_off", _("write it off")
        MOVE_HERE = "move_here", _("record it as here")
        NONE = "none", _("nothing to do; count again")

    class Decision(models.TextChoices):
        PENDING = "pending", _("to decide")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")

    inventory_check = models.ForeignKey(
        InventoryCheck, on_delete=models.CASCADE, related_name="findings", verbose_name=_("check")
    )
    kind = models.CharField(_("finding"), max_length=10, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=14)
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("item")
    )
    proposal = models.CharField(_("proposed adjustment"), max_length=9, choices=Proposal.choices)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    event = models.OneToOneField(
        ItemEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("event")
    )

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["inventory_check_id", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["inventory_check", "code", "kind"], name="checkfinding_once"),
            models.CheckConstraint(
                condition=Q(decision="pending") | Q(decided_at__isnull=False), name="checkfinding_decided_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}"


class StoreAlert(CommunityOwned):
    """Something the warehouse manager must act on: an item expiring or expired, a check opened for them."""

    class Kind(models.TextChoices):
        EXPIRES_SOON = "expires_soon", _("expires soon")
        EXPIRED = "expired", _("expired")
        CHECK_DUE = "check_due", _("inventory check opened")

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("warehouse")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts", verbose_name=_("item")
    )
    inventory_check = models.ForeignKey(
        InventoryCheck, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("check")
    )
    to = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="store_alerts", verbose_name=_("for")
    )
    raised_at = models.DateTimeField(pgettext_lazy("store alert", "raised at"), default=timezone.now)
    seen_at = models.DateTimeField(_("seen at"), null=True, blank=True)
    # Set when the manager's digest with this alert was sent: what is unset is mailed by the next run.
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("store alert")
        verbose_name_plural = _("store alerts")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            # The daily expiry run may run twice: an item is alerted once per kind.
            models.UniqueConstraint(
                fields=["item", "kind"], condition=Q(item__isnull=False), name="storealert_once_per_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.item or self.inventory_check or ''}"
