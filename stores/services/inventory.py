"""Inventory checks (盘点) and the store's alerts.

A check of a warehouse is opened, staff scan what is on its shelves, and closing it compares the scans
with what the store says is there. Each code gets at most one finding, the first of these that applies:

- stale: the item had an event (other than "checked") since the check started that moved it into or
  out of the warehouse or changed its status; its count cannot be trusted, so nothing is proposed;
- unexpected: scanned, but unknown to the community or not in stock anywhere (delivered, sold,
  written off, out for delivery); staff investigate, nothing is proposed;
- missing: in stock or reserved here, not scanned: write it off;
- expired: scanned, in stock or reserved, past its expiry date: write it off;
- misplaced: scanned here, in stock at another warehouse of the community: record it as here.

Every scanned item in stock here gets a "checked" event at closing. An approved adjustment becomes an
item event through record_event(); when nothing is left to decide the check is done.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stores.codes import normalise
from stores.exceptions import CheckConflict, InvalidCode, ItemNotMovable
from stores.models import CheckFinding, CheckScan, EventKind, InventoryCheck, Item, ItemEvent, StoreAlert, Warehouse
from stores.selectors.public import item_topic
from stores.services.items import record_event
from yicang.community.models import User
from yicang.core import public_cache
from yicang.core.exceptions import DomainError

# Where an item is on a shelf: what a check expects to find, and what expiry alerts watch.
ON_A_SHELF = [Item.Status.IN_STOCK, Item.Status.RESERVED]
UNDER_WAY = [InventoryCheck.Status.OPEN, InventoryCheck.Status.REVIEW]
EXPIRES_SOON_DAYS = 3
EXPIRY_KINDS = [StoreAlert.Kind.EXPIRED, StoreAlert.Kind.EXPIRES_SOON]

Kind = CheckFinding.Kind
Proposal = CheckFinding.Proposal
Decision = CheckFinding.Decision


@transaction.atomic
def start_check(*, warehouse: Warehouse, by: User | None = None, scheduled: bool = False) -> InventoryCheck:
    """Open a check of `warehouse`; staff then scan what is on its shelves.

    Raises CheckConflict (409) while another check of the warehouse is open or in review. The database's
    partial unique key decides, so of two people (or a person and the worker) starting one at the same
    moment exactly one gets it.
    """
    try:
        with transaction.atomic():
            return InventoryCheck.objects.create(
                community_id=warehouse.community_id, warehouse=warehouse, started_by=by, scheduled=scheduled
            )
    except IntegrityError:
        under_way = InventoryCheck.objects.filter(warehouse=warehouse, status__in=UNDER_WAY).first()
        if under_way is None:
            raise
        raise CheckConflict(
            _("%(warehouse)s already has a check under way (#%(id)s): finish or cancel it first.")
            % {"warehouse": warehouse, "id": under_way.pk}
        ) from None


@transaction.atomic
def record_scan(*, inventory_check: InventoryCheck, typed: str, by: User) -> CheckScan:
    """Record one code scanned or typed during an open check.

    A code the community does not know is recorded too (it becomes "unexpected"). The same code again
    changes nothing: the first scan is returned with `already_scanned` set. Raises InvalidCode (400)
    for what cannot be a code, before any query, and CheckConflict (409) once the check is closed.
    """
    code = normalise(typed)
    if code is None:
        raise InvalidCode(
            _("“%(typed)s” is not an item code: scan it again, or type the code under the barcode.")
            % {"typed": typed.strip()[:30]}
        )
    # The lock orders scans against closing: a scan either counts or is refused, never lost.
    check = _locked(inventory_check)
    if check.status != InventoryCheck.Status.OPEN:
        raise CheckConflict(_("This check is closed: nothing more can be scanned."))
    scans = CheckScan.objects.select_related("item__category", "item__warehouse")
    earlier = scans.filter(inventory_check=check, code=code).first()
    if earlier is not None:
        earlier.already_scanned = True
        return earlier
    # Another community's item is "unknown" here: a check reveals nothing across communities.
    item = Item.objects.select_related("category", "warehouse").filter(community_id=check.community_id, code=code)
    return CheckScan.objects.create(inventory_check=check, code=code, item=item.first(), by=by)


@transaction.atomic
def close_check(*, inventory_check: InventoryCheck, by: User) -> list[CheckFinding]:
    """Compare the scans with the store, record the findings and their proposed adjustments.

    The check goes to review, or straight to done when nothing differs. Items scanned here and in stock
    get a "checked" event. Locks the check (a second closing gets CheckConflict) and the items compared,
    so no movement slips in between reading them and writing the findings.
    """
    check = _locked(inventory_check)
    if check.status != InventoryCheck.Status.OPEN:
        raise CheckConflict(_("This check was already closed."))
    now = timezone.now()
    today = timezone.localdate(now)
    here = check.warehouse_id
    scans = list(check.scans.order_by("pk"))
    scanned_ids = {scan.item_id for scan in scans if scan.item_id is not None}
    # In id order, so two checks locking overlapping items cannot deadlock.
    compared = Item.objects.select_for_update().filter(
        Q(pk__in=scanned_ids) | Q(warehouse_id=here, status__in=ON_A_SHELF)
    )
    items = {item.pk: item for item in compared.order_by("pk")}
    stale = _moved_during(check)
    findings: list[CheckFinding] = []
    checked: list[Item] = []

    def find(kind: str, code: str, item: Item | None, proposal: str) -> None:
        findings.append(CheckFinding(inventory_check=check, kind=kind, code=code, item=item, proposal=proposal))

    for scan in scans:
        item = items.get(scan.item_id) if scan.item_id is not None else None
        if item is None:
            find(Kind.UNEXPECTED, scan.code, None, Proposal.NONE)
        elif item.pk in stale:
            find(Kind.STALE, item.code, item, Proposal.NONE)
        elif item.status not in ON_A_SHELF:
            find(Kind.UNEXPECTED, item.code, item, Proposal.NONE)
        elif item.expires_on is not None and item.expires_on < today:
            find(Kind.EXPIRED, item.code, item, Proposal.WRITE_OFF)
        elif item.warehouse_id != here:
            movable = item.status == Item.Status.IN_STOCK
            find(Kind.MISPLACED, item.code, item, Proposal.MOVE_HERE if movable else Proposal.NONE)
        if item is not None and item.pk not in stale and _in_stock_at(item, here):
            checked.append(item)
    for item in items.values():
        if item.pk in scanned_ids or item.warehouse_id != here or item.status not in ON_A_SHELF:
            continue
        if item.pk in stale:
            find(Kind.STALE, item.code, item, Proposal.NONE)
        else:
            find(Kind.MISSING, item.code, item, Proposal.WRITE_OFF)
    # Moved out or taken off the shelf during the check, and not seen: flagged as well.
    flagged = {finding.item_id for finding in findings if finding.item_id is not None}
    for item in Item.objects.filter(pk__in=stale - flagged).order_by("pk"):
        find(Kind.STALE, item.code, item, Proposal.NONE)

    reason = _("Inventory check #%(id)s") % {"id": check.pk}
    # Status does not change (in stock to in stock), so the items themselves need no update.
    ItemEvent.objects.bulk_create(
        ItemEvent(
            item=item,
            kind=EventKind.CHECKED,
            from_status=Item.Status.IN_STOCK,
            to_status=Item.Status.IN_STOCK,
            at=now,
            by=by,
            warehouse_id=here,
            reason=reason,
        )
        for item in checked
    )
    public_cache.touch(*(item_topic(item.code) for item in checked))
    created = CheckFinding.objects.bulk_create(findings)
    check.status = InventoryCheck.Status.REVIEW if created else InventoryCheck.Status.DONE
    check.closed_at, check.closed_by = now, by
    check.save(update_fields=["status", "closed_at", "closed_by"])
    return created


@transaction.atomic
def decide_finding(*, finding: CheckFinding, approve: bool, by: User) -> CheckFinding:
    """Approve or decline one finding's adjustment; an approved one becomes an item event.

    A write-off is recorded with the check and the finding as its reason; "record it as here" moves the
    item to the check's warehouse. Raises CheckConflict when the finding was already decided or the check
    is not in review, and ItemNotMovable (409) when the item changed since the check closed; nothing
    is written then. The last decision makes the check done.
    """
    check = _locked(finding.inventory_check_id)
    if check.status != InventoryCheck.Status.REVIEW:
        raise CheckConflict(_("This check has no adjustments to decide."))
    current = CheckFinding.objects.select_related("item").get(pk=finding.pk)
    _decide(check, current, approve=approve, by=by)
    _done_when_decided(check)
    return current


@dataclass
class Approval:
    """What approve_all did: the findings approved, and those it could not, with the reason."""

    approved: list[CheckFinding] = field(default_factory=list)
    refused: list[tuple[CheckFinding, str]] = field(default_factory=list)


@transaction.atomic
def approve_all(*, inventory_check: InventoryCheck, by: User) -> Approval:
    """Approve every pending finding of a check in review.

    A finding whose item changed since the check closed is left pending and reported in `refused`; the
    others are approved. Raises CheckConflict when the check is not in review (someone else finished it).
    """
    check = _locked(inventory_check)
    if check.status != InventoryCheck.Status.REVIEW:
        raise CheckConflict(_("This check has no adjustments to decide."))
    approval = Approval()
    pending = check.findings.filter(decision=Decision.PENDING).select_related("item").order_by("pk")
    for finding in pending:
        try:
            with transaction.atomic():
                _decide(check, finding, approve=True, by=by)
        except DomainError as error:
            approval.refused.append((finding, str(error.message)))
        else:
            approval.approved.append(finding)
    _done_when_decided(check)
    return approval


@transaction.atomic
def cancel_check(*, inventory_check: InventoryCheck, by: User) -> InventoryCheck:
    """Give up a check that is open or in review; adjustments not yet approved are never made."""
    check = _locked(inventory_check)
    if check.status not in UNDER_WAY:
        raise CheckConflict(_("This check is already %(status)s.") % {"status": check.get_status_display()})
    check.status = InventoryCheck.Status.CANCELLED
    if check.closed_at is None:
        check.closed_at, check.closed_by = timezone.now(), by
    check.save(update_fields=["status", "closed_at", "closed_by"])
    return check


def open_due_checks(*, today: date | None = None) -> list[InventoryCheck]:
    """Open a scheduled check of every warehouse whose last check began `check_every_days` ago or more.

    Each opening raises a check_due alert to the warehouse manager. A warehouse with a check under way
    is left alone, so running this twice opens nothing new.
    """
    today = today or timezone.localdate()
    last = InventoryCheck.objects.filter(warehouse=OuterRef("pk")).order_by("-started_at").values("started_at")
    warehouses = (
        Warehouse.objects.filter(check_every_days__isnull=False)
        .annotate(last_started=Subquery(last[:1]))
        .order_by("pk")
    )
    opened = []
    for warehouse in warehouses:
        last_started = warehouse.last_started
        every = timedelta(days=warehouse.check_every_days or 0)
        if last_started is not None and timezone.localdate(last_started) > today - every:
            continue
        try:
            opened.append(_open_scheduled(warehouse))
        except CheckConflict:
            continue  # a check is under way: the schedule waits for it
    return opened


@transaction.atomic
def _open_scheduled(warehouse: Warehouse) -> InventoryCheck:
    check = start_check(warehouse=warehouse, scheduled=True)
    StoreAlert.objects.create(
        community_id=warehouse.community_id,
        warehouse=warehouse,
        kind=StoreAlert.Kind.CHECK_DUE,
        inventory_check=check,
        to_id=warehouse.manager_id,
    )
    return check


@transaction.atomic
def raise_expiry_alerts(*, today: date | None = None) -> list[StoreAlert]:
    """Alert warehouse managers to items on a shelf expiring within three days, or expired.

    An item is alerted once per kind (the database's unique key), so a second run the same day, or a
    run redelivered after a lost worker, raises nothing new. Returns the alerts this run raised.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    items = Item.objects.filter(
        status__in=ON_A_SHELF, expires_on__lte=today + timedelta(days=EXPIRES_SOON_DAYS)
    ).values_list("pk", "community_id", "warehouse_id", "warehouse__manager_id", "expires_on")
    StoreAlert.objects.bulk_create(
        (
            StoreAlert(
                community_id=community_id,
                warehouse_id=warehouse_id,
                item_id=item_id,
                kind=_expiry_kind(expires_on, today),
                to_id=manager_id,
                raised_at=now,
            )
            for item_id, community_id, warehouse_id, manager_id, expires_on in items.iterator()
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )
    # Rows that already existed were skipped and keep their own time: those of this run share `now`.
    raised = StoreAlert.objects.filter(raised_at=now, kind__in=EXPIRY_KINDS).select_related(
        "item__category", "warehouse", "community", "to"
    )
    return list(raised.order_by("warehouse_id", "item__expires_on", "pk"))


def mail_expiry_digests() -> int:
    """Email each manager with an address one message listing their expiry alerts not mailed and not
    seen yet; returns how many messages were sent.

    At least once: a manager's alerts are marked in the transaction that sends their message, so a
    worker lost before the commit leaves them for the next run (which may send that message again),
    and a failed send marks nothing. Two runs at once skip each other's managers.
    """
    pending = StoreAlert.objects.filter(
        kind__in=EXPIRY_KINDS, emailed_at__isnull=True, seen_at__isnull=True, to__isnull=False
    ).exclude(to__email="")
    sent = 0
    for manager_id in sorted(set(pending.values_list("to_id", flat=True))):
        with transaction.atomic():
            theirs = list(
                pending.filter(to_id=manager_id)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("item__category", "warehouse", "community", "to")
                .order_by("warehouse_id", "item__expires_on", "pk")
            )
            if not theirs:
                continue
            _send_digest(theirs)
            StoreAlert.objects.filter(pk__in=[alert.pk for alert in theirs]).update(emailed_at=timezone.now())
            sent += 1
    return sent


def _send_digest(alerts: list[StoreAlert]) -> None:
    manager = alerts[0].to
    assert manager is not None
    lines = [
        _("%(kind)s: %(what)s, expires on %(date)s, at %(warehouse)s")
        % {
            "kind": alert.get_kind_display(),
            "what": " ".join(filter(None, [alert.item.code_display, str(alert.item.category), alert.item.description])),
            "date": alert.item.expires_on,
            "warehouse": alert.warehouse,
        }
        for alert in alerts
        if alert.item is not None
    ]
    pages = sorted({settings.YICANG_PUBLIC_URL + reverse("stores:checks", args=[a.community.code]) for a in alerts})
    subject = ngettext(
        "Yicang store: %(count)d item expires soon or has expired",
        "Yicang store: %(count)d items expire soon or have expired",
        len(lines),
    ) % {"count": len(lines)}
    send_mail(subject, "\n".join([*lines, "", *pages]), None, [manager.email])


@transaction.atomic
def mark_alerts_seen(*, alerts: Iterable[StoreAlert], by: User) -> int:
    """Mark the alerts seen; only alerts addressed to `by`, or to nobody, are touched. Returns how many."""
    ids = [alert.pk for alert in alerts]
    addressed = Q(to=by) | Q(to__isnull=True)
    return StoreAlert.objects.filter(addressed, pk__in=ids, seen_at__isnull=True).update(seen_at=timezone.now())


def _in_stock_at(item: Item, warehouse_id: int) -> bool:
    return item.warehouse_id == warehouse_id and item.status == Item.Status.IN_STOCK


def _expiry_kind(expires_on: date | None, today: date) -> str:
    return StoreAlert.Kind.EXPIRED if expires_on is not None and expires_on < today else StoreAlert.Kind.EXPIRES_SOON


def _locked(inventory_check: InventoryCheck | int) -> InventoryCheck:
    pk = inventory_check if isinstance(inventory_check, int) else inventory_check.pk
    return InventoryCheck.objects.select_for_update().get(pk=pk)


def _moved_during(check: InventoryCheck) -> set[int]:
    """Items that, since the check started, moved into or out of its warehouse or changed status there.

    An event's warehouse is where it left the item, so a move out of the warehouse is a "moved" event
    elsewhere whose item was here before the check started.
    """
    since = ItemEvent.objects.filter(at__gte=check.started_at).exclude(kind=EventKind.CHECKED)
    here = since.filter(warehouse_id=check.warehouse_id).values_list("item_id", flat=True)
    before = ItemEvent.objects.filter(item_id=OuterRef("item_id"), at__lt=check.started_at).order_by("-pk")
    left = (
        since.filter(kind=EventKind.MOVED)
        .exclude(warehouse_id=check.warehouse_id)
        .annotate(was_at=Subquery(before.values("warehouse_id")[:1]))
        .filter(was_at=check.warehouse_id)
        .values_list("item_id", flat=True)
    )
    return set(here) | set(left)


def _decide(check: InventoryCheck, finding: CheckFinding, *, approve: bool, by: User) -> None:
    if finding.decision != Decision.PENDING:
        raise CheckConflict(
            _("%(finding)s was already %(decision)s.")
            % {"finding": finding, "decision": finding.get_decision_display()}
        )
    if approve and finding.proposal != Proposal.NONE:
        finding.event = _adjust(check, finding, by)
    finding.decision = Decision.APPROVED if approve else Decision.DECLINED
    finding.decided_by, finding.decided_at = by, timezone.now()
    finding.save(update_fields=["decision", "decided_by", "decided_at", "event"])


def _adjust(check: InventoryCheck, finding: CheckFinding, by: User) -> ItemEvent:
    assert finding.item is not None  # only findings of known items propose an adjustment
    item = Item.objects.select_for_update().get(pk=finding.item.pk)
    assert check.closed_at is not None
    since = ItemEvent.objects.filter(item=item, at__gt=check.closed_at).order_by("-pk").first()
    if since is not None:
        raise ItemNotMovable(
            _("%(code)s was %(step)s after the check closed: count it again, or decline this adjustment.")
            % {"code": item.code_display, "step": since.get_kind_display()}
        )
    reason = _("Inventory check #%(id)s: %(finding)s") % {"id": check.pk, "finding": finding.get_kind_display()}
    if finding.proposal == Proposal.MOVE_HERE:
        return record_event(item=item, kind=EventKind.MOVED, by=by, warehouse=check.warehouse, reason=reason)
    return record_event(item=item, kind=EventKind.WRITTEN_OFF, by=by, reason=reason)


def _done_when_decided(check: InventoryCheck) -> None:
    if not check.findings.filter(decision=Decision.PENDING).exists():
        check.status = InventoryCheck.Status.DONE
        check.save(update_fields=["status"])
