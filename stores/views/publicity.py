from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from stores.selectors import month_publicity
from yicang.community.models import Community
from yicang.core.months import add_months, parse_month, this_month


def publicity(request: HttpRequest, code: str) -> HttpResponse:
    """The store's 公示 for a community and month: received and given by category; no family named."""
    community = get_object_or_404(Community, code=code)
    current = this_month()
    asked = request.GET.get("month")
    month = parse_month(asked) if asked else current
    if month is None or month > current:
        raise Http404
    context = {
        "publicity": month_publicity(community, month),
        "previous": add_months(month, -1),
        "next": add_months(month, 1) if month < current else None,
    }
    return render(request, "stores/publicity.html", context)
