"""The scanning hub for phones: receive, move and look up items by camera, USB scanner or typing.

The mode and the warehouse travel in the query string, so after each scan the same form is ready for the
next one: with a USB scanner (which types the code and presses Enter) every item is one action.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stores.exceptions import IntakeError, ItemNotMovable, UnknownCode
from stores.models import Item, ItemEvent, Warehouse
from stores.services.items import find_item
from stores.services.scanning import Arrival, move_to, receive_at
from yicang.community.models import Community, User
from yicang.community.scoping import get_scoped_or_404, scope

MODES = {
    "receive": gettext_lazy("Receive here"),
    "move": gettext_lazy("Move to"),
    "lookup": gettext_lazy("Look up"),
}
# What each mode asks of the user, beyond being staff of the item's community.
MODE_PERMISSIONS = {"receive": "stores.add_itemevent", "move": "stores.add_itemevent", "lookup": "stores.view_item"}
LAST_WAREHOUSE = "stores:scan-warehouse"
HISTORY_SHOWN = 30


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str
    item: Item | None = None
    history: list[ItemEvent] | None = None


@staff_member_required
def scan_page(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)  # staff_member_required let only a signed-in user through
    user = request.user
    mode = request.GET.get("mode", "")
    if mode and mode not in MODES:
        raise Http404
    warehouse = _warehouse(request, user)
    if mode and mode != "lookup" and warehouse is None:
        mode = ""  # receiving and moving happen at a warehouse: choose one first
    if mode and not user.has_perm(MODE_PERMISSIONS[mode]):
        raise PermissionDenied
    outcome, status, typed = None, 200, ""
    if request.method == "POST":
        if not mode:
            raise Http404
        typed = request.POST.get("code", "").strip()[:200]
        outcome, status = _scan(mode, typed, warehouse, user)
    if warehouse is not None:
        request.session[LAST_WAREHOUSE] = warehouse.pk
    # The choice of warehouse is on the page without a mode; scanning pages need only the chosen one.
    warehouses = (
        []
        if mode
        else list(scope(Warehouse.objects.select_related("community"), user).order_by("community__name", "name"))
    )
    return render(
        request,
        "stores/scan/scan.html",
        {
            "modes": MODES,
            "mode": mode,
            "mode_label": MODES.get(mode, ""),
            "warehouse": warehouse,
            "warehouses": warehouses,
            "several_communities": len({w.community_id for w in warehouses}) > 1,
            "outcome": outcome,
            # A failed scan keeps what was typed, to correct it; a good one clears the field for the next.
            "typed": typed if outcome is not None and not outcome.ok else "",
            "links": _community_links(warehouse.community if warehouse else None, warehouses),
        },
        status=status,
    )


def _warehouse(request: HttpRequest, user: User) -> Warehouse | None:
    pk = request.GET.get("warehouse") or request.session.get(LAST_WAREHOUSE)
    if not pk:
        return None
    if not str(pk).isdigit():
        raise Http404
    try:
        return get_scoped_or_404(Warehouse.objects.select_related("community"), user, pk=int(pk))
    except Http404:
        if "warehouse" in request.GET:
            raise
        return None  # a warehouse remembered from before that this user may no longer see


def _scan(mode: str, typed: str, warehouse: Warehouse | None, user: User) -> tuple[Outcome, int]:
    try:
        item = find_item(typed, user=user)
        if mode == "lookup":
            history = list(
                ItemEvent.objects.filter(item=item)
                .select_related("warehouse", "by")
                .order_by("-at", "-pk")[:HISTORY_SHOWN]
            )
            return Outcome(ok=True, message="", item=item, history=history), 200
        assert warehouse is not None
        step = receive_at if mode == "receive" else move_to
        arrival = step(item=item, warehouse=warehouse, by=user)
    except (UnknownCode, ItemNotMovable, IntakeError) as error:
        return Outcome(ok=False, message=str(error.message)), error.status
    return Outcome(ok=True, message=_arrival_message(arrival, warehouse), item=arrival.item), 200


def _arrival_message(arrival: Arrival, warehouse: Warehouse) -> str:
    values: dict[str, Any] = {
        "code": arrival.item.code_display,
        "category": arrival.item.category.name,
        "warehouse": warehouse.name,
        "status": arrival.item.get_status_display(),
    }
    if not arrival.events:
        return _("%(code)s %(category)s is already in stock at %(warehouse)s.") % values
    steps = ", ".join(str(event.get_kind_display()) for event in arrival.events)
    return _("%(code)s %(category)s: %(steps)s — now %(status)s at %(warehouse)s.") % {**values, "steps": steps}


def _community_links(community: Community | None, warehouses: list[Warehouse]) -> list[dict[str, str]]:
    """Dispatch, delivery and inventory-check pages of the chosen warehouse's community (or the only one)."""
    if community is None:
        communities = {w.community_id: w.community for w in warehouses}
        if len(communities) != 1:
            return []
        community = next(iter(communities.values()))
    return [
        {"label": _("Dispatch and deliver"), "url": reverse("stores:delivery-plans", args=[community.code])},
        {"label": _("Inventory checks"), "url": reverse("stores:checks", args=[community.code])},
        {"label": _("Receive a donation"), "url": reverse("stores:intake", args=[community.code])},
    ]
