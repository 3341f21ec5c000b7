"""Staff pages of delivery plans: plan the visits, scan items out, follow them live, confirm at the door.

Phone-sized and Chinese first. Every change goes through stores.services.delivery; a refused step shows
the page again with the service's message and status (409 when someone else got there first).
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Case, When
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from stores.models import Delivery, DeliveryPlan, Warehouse
from stores.selectors.delivery import CARRIED, families_to_add, plans_with_counts, visits_of, volunteers_of
from stores.services.delivery import (
    add_delivery,
    close_plan,
    confirm_delivery,
    dispatch_item,
    family_code,
    mark_not_delivered,
    plan_delivery,
    release_item,
    reserve_item,
)
from stores.services.items import find_item
from volunteers.models import Centre
from yicang.community.access import current_user, require_permission
from yicang.community.models import Community
from yicang.community.scoping import get_scoped_or_404
from yicang.core.exceptions import DomainError

PLANS_SHOWN = 60
OPEN = (Delivery.Status.PLANNED, Delivery.Status.OUT)


@dataclass(frozen=True)
class VisitRow:
    visit: Delivery
    code: str  # the family's code, for planners only; "" for everyone else


class PlanForm(forms.Form):
    # Most communities have one centre and one store: offered chosen, without an empty choice.
    centre = forms.ModelChoiceField(
        queryset=Centre.objects.none(), label=gettext_lazy("Mutual-assistance centre"), empty_label=None
    )
    warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.none(), label=gettext_lazy("Items leave from"), empty_label=None
    )
    planned_for = forms.DateField(
        label=gettext_lazy("Day of the visits"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = Centre.objects.filter(community=community)  # type: ignore[attr-defined]
        stores_first = Case(When(kind=Warehouse.Kind.STORE, then=0), default=1)
        warehouses = Warehouse.objects.filter(community=community).order_by(stores_first, "name")
        self.fields["warehouse"].queryset = warehouses  # type: ignore[attr-defined]
        self.fields["planned_for"].initial = timezone.localdate()


def _plan(request: HttpRequest, pk: int) -> DeliveryPlan:
    plan = get_scoped_or_404(
        DeliveryPlan.objects.select_related("centre", "warehouse", "community"), request.user, pk=pk
    )
    require_permission(request.user, "stores.view_deliveryplan")
    return plan


def _visit(request: HttpRequest, pk: int) -> Delivery:
    visit = get_scoped_or_404(
        Delivery.objects.select_related("plan__warehouse", "plan__centre", "family__household", "community"),
        request.user,
        pk=pk,
    )
    require_permission(request.user, "stores.view_delivery")
    return visit


@staff_member_required
def plans_page(request: HttpRequest, code: str) -> HttpResponse:
    """A community's delivery plans, newest first, with a form to start one."""
    community = get_scoped_or_404(Community.objects.all(), request.user, code=code)
    require_permission(request.user, "stores.view_deliveryplan")
    may_plan = request.user.has_perm("stores.add_deliveryplan")
    form = PlanForm(request.POST if request.method == "POST" else None, community=community)
    status = 200
    if request.method == "POST":
        require_permission(request.user, "stores.add_deliveryplan")
        if form.is_valid():
            try:
                plan = plan_delivery(**form.cleaned_data, by=current_user(request))
            except DomainError as error:
                form.add_error(None, str(error.message))
                status = error.status
            else:
                messages.success(request, _("Plan started: now add the families."))
                return redirect("stores:delivery-plan", plan.pk)
        else:
            status = 400
    plans = plans_with_counts(DeliveryPlan.objects.filter(community=community)).order_by("-planned_for", "-pk")
    context = {"community": community, "plans": plans[:PLANS_SHOWN], "form": form, "may_plan": may_plan}
    return render(request, "stores/delivery/plans.html", context, status=status)


@staff_member_required
def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One plan: its visits and their state (kept live), family codes for planners, scanning items out."""
    return _plan_response(request, _plan(request, pk))


def _plan_response(request: HttpRequest, plan: DeliveryPlan, error: DomainError | None = None) -> HttpResponse:
    user = request.user
    visits = visits_of(plan)
    may_add = user.has_perm("stores.add_delivery") and plan.status != DeliveryPlan.Status.CLOSED
    # Planners give each family its code beforehand; the volunteer at the door must not know it.
    sees_codes = user.has_perm("stores.add_delivery")
    context = {
        "plan": plan,
        "community": plan.community,
        "rows": [VisitRow(visit=v, code=family_code(v) if sees_codes else "") for v in visits],
        "may_add": may_add,
        "families": list(families_to_add(plan)) if may_add else [],
        "volunteers": list(volunteers_of(plan.community)) if may_add else [],
        "may_plan": user.has_perm("stores.change_deliveryplan") and plan.status != DeliveryPlan.Status.CLOSED,
        "may_dispatch": user.has_perm("stores.change_delivery") and plan.status != DeliveryPlan.Status.CLOSED,
        "open_visits": [v for v in visits if v.status in OPEN],
        "error": error,
    }
    return render(request, "stores/delivery/plan.html", context, status=error.status if error is not None else 200)


@staff_member_required
def plan_live(request: HttpRequest, pk: int) -> JsonResponse:
    """The state of each visit of a plan, for the plan page to refresh itself every few seconds."""
    plan = _plan(request, pk)
    counts = plans_with_counts(DeliveryPlan.objects.filter(pk=plan.pk)).get()
    rows = Delivery.objects.filter(plan=plan).order_by("pk").values("pk", "status", "confirmed_at")
    labels = dict(Delivery.Status.choices)
    return JsonResponse(
        {
            "plan": {"status": plan.status, "label": str(plan.get_status_display())},
            "summary": _("%(delivered)s of %(visits)s delivered · %(out)s on the way · %(failed)s not delivered")
            % {
                "delivered": counts.visits_delivered,  # type: ignore[attr-defined]
                "visits": counts.visits,  # type: ignore[attr-defined]
                "out": counts.visits_out,  # type: ignore[attr-defined]
                "failed": counts.visits_failed,  # type: ignore[attr-defined]
            },
            "deliveries": [
                {
                    "id": row["pk"],
                    "status": row["status"],
                    "label": str(labels[row["status"]]),
                    "at": date_format(timezone.localtime(row["confirmed_at"]), "H:i") if row["confirmed_at"] else "",
                }
                for row in rows
            ],
        }
    )


class FamilyForm(forms.Form):
    family = forms.IntegerField()
    volunteer = forms.IntegerField(required=False)


@staff_member_required
@require_POST
def add_family(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    require_permission(request.user, "stores.add_delivery")
    form = FamilyForm(request.POST)
    family = volunteer = None
    if form.is_valid():
        # Only the choices the page offers: another community's family or volunteer is not found.
        family = families_to_add(plan).filter(pk=form.cleaned_data["family"]).first()
        if form.cleaned_data["volunteer"]:
            volunteer = volunteers_of(plan.community).filter(pk=form.cleaned_data["volunteer"]).first()
    if family is None or (form.is_valid() and form.cleaned_data["volunteer"] and volunteer is None):
        return _plan_response(request, plan, DomainError(_("Choose a family (and a volunteer) from the lists.")))
    try:
        visit = add_delivery(plan=plan, family=family, volunteer=volunteer, by=current_user(request))
    except DomainError as error:
        return _plan_response(request, plan, error)
    messages.success(request, _("%(family)s added. Give the family its code.") % {"family": family})
    return _back_to(plan, visit)


@staff_member_required
@require_POST
def reserve(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    require_permission(request.user, "stores.change_deliveryplan")
    try:
        item = find_item(request.POST.get("code", ""), user=current_user(request))
        reserve_item(delivery=visit, item=item, by=current_user(request))
    except DomainError as error:
        return _plan_response(request, _plan(request, visit.plan_id), error)
    messages.success(request, _("%(item)s reserved for %(family)s.") % {"item": item, "family": visit.family})
    return _back_to(visit.plan, visit)


@staff_member_required
@require_POST
def release(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    require_permission(request.user, "stores.change_deliveryplan")
    try:
        item = find_item(request.POST.get("code", ""), user=current_user(request))
        release_item(item=item, by=current_user(request))
    except DomainError as error:
        return _plan_response(request, _plan(request, visit.plan_id), error)
    messages.success(request, _("%(item)s is back in stock.") % {"item": item})
    return _back_to(visit.plan, visit)


@staff_member_required
@require_POST
def dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    """A scanned item goes out: on the visit it is reserved for, or on the visit chosen."""
    plan = _plan(request, pk)
    require_permission(request.user, "stores.change_delivery")
    try:
        item = find_item(request.POST.get("code", ""), user=current_user(request))
        chosen = request.POST.get("delivery", "")
        visit_id = int(chosen) if chosen.isdigit() else item.delivery_id
        visits = Delivery.objects.filter(plan=plan).select_related("family__household")
        visit = visits.filter(pk=visit_id).first() if visit_id is not None else None
        if visit is None:
            raise DomainError(_("%(item)s is reserved for no family of this plan: choose the family.") % {"item": item})
        dispatch_item(item=item, delivery=visit, by=current_user(request))
    except DomainError as error:
        return _plan_response(request, plan, error)
    messages.success(request, _("%(item)s is on its way to %(family)s.") % {"item": item, "family": visit.family})
    return redirect("stores:delivery-plan", plan.pk)


@staff_member_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    require_permission(request.user, "stores.change_deliveryplan")
    try:
        close_plan(plan=plan, by=current_user(request))
    except DomainError as error:
        return _plan_response(request, plan, error)
    messages.success(request, _("Plan closed: what was not delivered is back in stock."))
    return redirect("stores:delivery-plan", plan.pk)


@staff_member_required
def door(request: HttpRequest, pk: int) -> HttpResponse:
    """The volunteer's page at the family's door: the items, then the family's code, a photo, or "not home"."""
    visit = _visit(request, pk)
    error: DomainError | None = None
    if request.method == "POST":
        require_permission(request.user, "stores.change_delivery")
        action = request.POST.get("action", "")
        try:
            if action == "not_delivered":
                mark_not_delivered(delivery=visit, by=current_user(request), reason=request.POST.get("reason", ""))
                messages.success(request, _("Marked not delivered; the items go back to stock."))
            else:
                confirm_delivery(
                    delivery=visit,
                    by=current_user(request),
                    code=request.POST.get("code", "")[:20] if action == "code" else None,
                    photo=request.FILES.get("photo") if action == "photo" else None,
                )
                messages.success(request, _("Delivered. Thank you!"))
        except DomainError as error_:
            error = error_
        else:
            return redirect("stores:delivery-door", visit.pk)
        visit.refresh_from_db()
    items = visit.items.filter(status__in=CARRIED).select_related("category").order_by("pk")
    may_act = request.user.has_perm("stores.change_delivery")
    context = {
        "visit": visit,
        "plan": visit.plan,
        "items": list(items),
        "may_confirm": may_act and visit.status == Delivery.Status.OUT,
        "may_fail": may_act and visit.status in OPEN,
        "error": error,
        "reason": request.POST.get("reason", "")[:200] if error is not None else "",
    }
    return render(request, "stores/delivery/door.html", context, status=error.status if error is not None else 200)


def _back_to(plan: DeliveryPlan, visit: Delivery) -> HttpResponse:
    return redirect(reverse("stores:delivery-plan", args=[plan.pk]) + f"#visit-{visit.pk}")
