"""Inventory check pages: a community's checks and alerts, and one check's scanning and review.

Phone first. The scan field keeps the focus, so a USB scanner (it types the code and presses Enter),
the camera scanner (stores/_scanner_assets.html) or a person typing can count shelf after shelf.
Every change goes through stores.services.inventory; a refused step is shown on the page with its
status code (400, 409).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from stores.models import CheckFinding, CheckScan, InventoryCheck, Item, StoreAlert, Warehouse
from stores.services.inventory import (
    ON_A_SHELF,
    UNDER_WAY,
    approve_all,
    cancel_check,
    close_check,
    decide_finding,
    mark_alerts_seen,
    record_scan,
    start_check,
)
from yicang.community.access import current_user, require_permission
from yicang.community.models import Community
from yicang.community.scoping import get_scoped_or_404
from yicang.core.db import subquery_count
from yicang.core.exceptions import DomainError

CHECKS_SHOWN = 30
SCANS_SHOWN = 20
ALERTS_SHOWN = 50
# The order findings are reviewed in: what costs stock first, what needs a recount last.
KINDS_SHOWN = [
    CheckFinding.Kind.MISSING,
    CheckFinding.Kind.EXPIRED,
    CheckFinding.Kind.MISPLACED,
    CheckFinding.Kind.UNEXPECTED,
    CheckFinding.Kind.STALE,
]


@dataclass(frozen=True)
class ScanRow:
    scan: CheckScan
    note: str
    # "ok" for an item expected here, "odd" for anything the check will report.
    tone: str


@dataclass(frozen=True)
class FindingGroup:
    kind: str
    label: str
    findings: list[CheckFinding]


def _pk(value: str | None) -> int:
    if not value or not value.isdigit():
        raise Http404
    return int(value)


@staff_member_required
def checks_page(request: HttpRequest, code: str) -> HttpResponse:
    community = get_scoped_or_404(Community.objects.all(), request.user, code=code)
    require_permission(request.user, "stores.view_inventorycheck")
    return _checks(request, community)


@staff_member_required
@require_POST
def start_page(request: HttpRequest, code: str) -> HttpResponse:
    community = get_scoped_or_404(Community.objects.all(), request.user, code=code)
    require_permission(request.user, "stores.add_inventorycheck")
    warehouse = Warehouse.objects.filter(community=community, pk=_pk(request.POST.get("warehouse"))).first()
    if warehouse is None:
        raise Http404
    try:
        check = start_check(warehouse=warehouse, by=current_user(request))
    except DomainError as error:
        messages.error(request, str(error.message))
        return _checks(request, community, status=error.status)
    messages.success(request, _("Check #%(id)s of %(warehouse)s started: scan the shelves.") % {
        "id": check.pk, "warehouse": warehouse,
    })  # fmt: skip
    return redirect("stores:check", pk=check.pk)


@staff_member_required
@require_POST
def alert_seen_page(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_scoped_or_404(StoreAlert.objects.select_related("community"), request.user, pk=pk)
    require_permission(request.user, "stores.change_storealert")
    mark_alerts_seen(alerts=[alert], by=current_user(request))
    return redirect("stores:checks", code=alert.community.code)


@staff_member_required
@require_POST
def alerts_seen_page(request: HttpRequest, code: str) -> HttpResponse:
    community = get_scoped_or_404(Community.objects.all(), request.user, code=code)
    require_permission(request.user, "stores.change_storealert")
    seen = mark_alerts_seen(alerts=_alerts_for(request, community), by=current_user(request))
    messages.success(request, ngettext("%(count)d alert marked seen.", "%(count)d alerts marked seen.", seen) % {
        "count": seen,
    })  # fmt: skip
    return redirect("stores:checks", code=community.code)


def _alerts_for(request: HttpRequest, community: Community) -> list[StoreAlert]:
    """The community's unseen alerts addressed to this user, or to nobody (a warehouse without a manager).

    An alert about an item no longer on a shelf (written off, delivered) has nothing left to act on.
    """
    addressed = Q(to_id=request.user.pk) | Q(to__isnull=True)
    actionable = Q(item__isnull=True) | Q(item__status__in=ON_A_SHELF)
    alerts = StoreAlert.objects.filter(addressed, actionable, community=community, seen_at__isnull=True)
    alerts = alerts.select_related("item__category", "warehouse", "inventory_check")
    return list(alerts.order_by("-raised_at", "-pk")[:ALERTS_SHOWN])


def _checks(request: HttpRequest, community: Community, *, status: int = 200) -> HttpResponse:
    under_way = InventoryCheck.objects.filter(warehouse=OuterRef("pk"), status__in=UNDER_WAY).values("pk")
    latest = InventoryCheck.objects.filter(warehouse=OuterRef("pk")).order_by("-started_at").values("started_at")
    warehouses = (
        Warehouse.objects.filter(community=community)
        .select_related("manager")
        .annotate(
            check_id=Subquery(under_way[:1]),
            last_started=Subquery(latest[:1]),
            on_shelf=subquery_count(Item.objects.filter(status__in=ON_A_SHELF), "warehouse"),
        )
    )
    checks = (
        InventoryCheck.objects.filter(community=community)
        .select_related("warehouse", "started_by")
        .annotate(
            scan_count=subquery_count(CheckScan.objects.all(), "inventory_check"),
            pending_count=subquery_count(
                CheckFinding.objects.filter(decision=CheckFinding.Decision.PENDING), "inventory_check"
            ),
        )
    )
    may_see_alerts = request.user.has_perm("stores.view_storealert")
    context = {
        "community": community,
        "warehouses": list(warehouses),
        "checks": list(checks[:CHECKS_SHOWN]),
        "alerts": _alerts_for(request, community) if may_see_alerts else [],
        "may_start": request.user.has_perm("stores.add_inventorycheck"),
        "may_mark_seen": request.user.has_perm("stores.change_storealert"),
    }
    return render(request, "stores/inventory/checks.html", context, status=status)


def _scoped_check(request: HttpRequest, pk: int) -> InventoryCheck:
    checks = InventoryCheck.objects.select_related("warehouse", "community", "started_by", "closed_by")
    check = get_scoped_or_404(checks, request.user, pk=pk)
    require_permission(request.user, "stores.view_inventorycheck")
    return check


@staff_member_required
def check_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The check: scanning while it is open (POST a code), then the findings to decide."""
    check = _scoped_check(request, pk)
    if request.method != "POST":
        return _check(request, check)
    require_permission(request.user, "stores.add_checkscan")
    try:
        scan = record_scan(inventory_check=check, typed=request.POST.get("code", ""), by=current_user(request))
    except DomainError as error:
        messages.error(request, str(error.message))
        check.refresh_from_db(fields=["status", "closed_at"])
        return _check(request, check, status=error.status)
    level, text = _scan_message(scan, check)
    messages.add_message(request, level, text)
    return redirect("stores:check", pk=check.pk)


@staff_member_required
@require_POST
def close_page(request: HttpRequest, pk: int) -> HttpResponse:
    check = _scoped_check(request, pk)
    require_permission(request.user, "stores.change_inventorycheck")
    try:
        findings = close_check(inventory_check=check, by=current_user(request))
    except DomainError as error:
        return _refused(request, check, error)
    if findings:
        text = ngettext(
            "Closed: %(count)d difference to decide.", "Closed: %(count)d differences to decide.", len(findings)
        ) % {"count": len(findings)}
        messages.warning(request, text)
    else:
        messages.success(request, _("Closed: the shelves match the store."))
    return redirect("stores:check", pk=check.pk)


@staff_member_required
@require_POST
def cancel_page(request: HttpRequest, pk: int) -> HttpResponse:
    check = _scoped_check(request, pk)
    require_permission(request.user, "stores.change_inventorycheck")
    try:
        cancel_check(inventory_check=check, by=current_user(request))
    except DomainError as error:
        return _refused(request, check, error)
    messages.success(request, _("Check #%(id)s cancelled.") % {"id": check.pk})
    return redirect("stores:checks", code=check.community.code)


@staff_member_required
@require_POST
def decide_page(request: HttpRequest, pk: int, finding: int) -> HttpResponse:
    check = _scoped_check(request, pk)
    require_permission(request.user, "stores.change_checkfinding")
    found = CheckFinding.objects.filter(inventory_check=check, pk=finding).first()
    if found is None:
        raise Http404
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        return HttpResponseBadRequest(_("Approve or decline."))
    approve = decision == "approve"
    try:
        decide_finding(finding=found, approve=approve, by=current_user(request))
    except DomainError as error:
        return _refused(request, check, error)
    text = _("%(finding)s: approved.") if approve else _("%(finding)s: declined.")
    messages.success(request, text % {"finding": found})
    return redirect("stores:check", pk=check.pk)


@staff_member_required
@require_POST
def approve_all_page(request: HttpRequest, pk: int) -> HttpResponse:
    check = _scoped_check(request, pk)
    require_permission(request.user, "stores.change_checkfinding")
    try:
        approval = approve_all(inventory_check=check, by=current_user(request))
    except DomainError as error:
        return _refused(request, check, error)
    count = len(approval.approved)
    messages.success(request, ngettext("%(count)d adjustment approved.", "%(count)d adjustments approved.", count) % {
        "count": count,
    })  # fmt: skip
    for finding, reason in approval.refused:
        messages.error(request, f"{finding}: {reason}")
    return redirect("stores:check", pk=check.pk)


def _refused(request: HttpRequest, check: InventoryCheck, error: DomainError) -> HttpResponse:
    """The check page again, as it is now, with why the step was refused."""
    messages.error(request, str(error.message))
    check.refresh_from_db(fields=["status", "closed_at", "closed_by"])
    return _check(request, check, status=error.status)


def _check(request: HttpRequest, check: InventoryCheck, *, status: int = 200) -> HttpResponse:
    context: dict[str, object] = {
        "check": check,
        "community": check.community,
        "may_scan": request.user.has_perm("stores.add_checkscan"),
        "may_close": request.user.has_perm("stores.change_inventorycheck"),
        "may_decide": request.user.has_perm("stores.change_checkfinding"),
    }
    if check.status == InventoryCheck.Status.OPEN:
        here = Q(item__warehouse_id=check.warehouse_id, item__status__in=ON_A_SHELF)
        counts = check.scans.aggregate(total=Count("pk"), expected=Count("pk", filter=here))
        recent = check.scans.select_related("item__category", "item__warehouse").order_by("-pk")[:SCANS_SHOWN]
        context.update(
            expected=Item.objects.filter(warehouse_id=check.warehouse_id, status__in=ON_A_SHELF).count(),
            counted=counts["expected"],
            others=counts["total"] - counts["expected"],
            recent=[ScanRow(scan, *_scan_note(scan, check)) for scan in recent],
        )
    else:
        findings = check.findings.select_related("item__category", "item__warehouse", "decided_by")
        by_kind: dict[str, list[CheckFinding]] = {kind: [] for kind in KINDS_SHOWN}
        for finding in findings.order_by("pk"):
            by_kind[finding.kind].append(finding)
        context.update(
            groups=[FindingGroup(k, str(CheckFinding.Kind(k).label), by_kind[k]) for k in KINDS_SHOWN if by_kind[k]],
            pending=sum(f.decision == CheckFinding.Decision.PENDING for group in by_kind.values() for f in group),
        )
    return render(request, "stores/inventory/check.html", context, status=status)


def _scan_note(scan: CheckScan, check: InventoryCheck) -> tuple[str, str]:
    """What a scanned code turned out to be, in a few words, and whether the check will report it."""
    item = scan.item
    if item is None:
        return _("not an item of this community"), "odd"
    if item.status not in ON_A_SHELF:
        return item.get_status_display(), "odd"
    if item.warehouse_id != check.warehouse_id:
        return _("recorded at %(warehouse)s") % {"warehouse": item.warehouse}, "odd"
    if item.expires_on is not None and item.expires_on < timezone.localdate():
        return _("expired on %(date)s") % {"date": item.expires_on}, "odd"
    return _("expected here"), "ok"


def _scan_message(scan: CheckScan, check: InventoryCheck) -> tuple[int, str]:
    if scan.already_scanned:
        return messages.INFO, _("%(code)s was already counted.") % {"code": _code(scan)}
    note, tone = _scan_note(scan, check)
    if scan.item is None:
        text = _("%(code)s is not an item of this community: it will be reported as unexpected.")
        return messages.WARNING, text % {"code": _code(scan)}
    what = f"{_code(scan)} {scan.item.category} {scan.item.description}".strip()
    if tone == "ok":
        return messages.SUCCESS, _("Counted: %(what)s.") % {"what": what}
    return messages.WARNING, _("Counted: %(what)s — %(note)s.") % {"what": what, "note": note}


def _code(scan: CheckScan) -> str:
    return scan.item.code_display if scan.item is not None else scan.code
