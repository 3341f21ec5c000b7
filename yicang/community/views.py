from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yicang.community.models import Community, User
from yicang.community.scoping import get_scoped_or_404
from yicang.community.selectors import communities_for_staff, households_of


@staff_member_required
def staff_home(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)  # staff_member_required let only a signed-in user through
    search = request.GET.get("q", "").strip()[:80]
    # National staff see all 2,600 communities: counting for each on one page took 0.9 s.
    page = Paginator(communities_for_staff(request.user, search=search), 30).get_page(request.GET.get("page"))
    return render(request, "community/staff_home.html", {"page": page, "search": search})


@staff_member_required
def staff_community(request: HttpRequest, code: str) -> HttpResponse:
    community = get_scoped_or_404(Community.objects.all(), request.user, code=code)
    search = request.GET.get("q", "").strip()[:80]
    page = Paginator(households_of(community, search=search), 30).get_page(request.GET.get("page"))
    return render(request, "community/staff_community.html", {"community": community, "page": page, "search": search})
