from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from stores.selectors.public import public_month
from yicang.core.months import add_months, parse_month, this_month


def publicity(request: HttpRequest, code: str) -> HttpResponse:
    """The store's 公示 for a community and month: received and given by category; no family named."""
    current = this_month()
    asked = request.GET.get("month")
    month = parse_month(asked) if asked else current
    found = public_month(code, month) if month is not None and month <= current else None
    if month is None or found is None:
        raise Http404
    context = {
        "publicity": found,
        "previous": add_months(month, -1),
        "next": add_months(month, 1) if month < current else None,
    }
    return render(request, "stores/publicity.html", context)
