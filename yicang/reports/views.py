from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yicang.community.models import Household, Resident, User
from yicang.community.scoping import get_scoped_or_404
from yicang.reports.households import household_overview
from yicang.reports.selectors import headline_figures


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/home.html", {"figures": headline_figures()})


@staff_member_required
def staff_household(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_scoped_or_404(Household.objects.select_related("community"), request.user, pk=pk)
    return render(request, "reports/household.html", {"overview": household_overview(household), "own": False})


@login_required
def my_household(request: HttpRequest) -> HttpResponse:
    """The signed-in resident's own household, and nobody else's: there is no id in the address."""
    assert isinstance(request.user, User)  # login_required let only a signed-in user through
    resident = Resident.objects.filter(user=request.user).select_related("household__community").first()
    if resident is None or resident.household is None:
        return render(request, "reports/household.html", {"overview": None, "own": True})
    return render(request, "reports/household.html", {"overview": household_overview(resident.household), "own": True})
