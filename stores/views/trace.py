from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from stores.selectors.public import public_trace
from yicang.core.clients import over_rate, too_many_requests


def trace(request: HttpRequest, code: str) -> HttpResponse:
    """The public trace of one item, opened from the QR on its label or typed from a receipt; no JavaScript."""
    if over_rate(request, group="trace", rate=settings.TRACE_RATE):
        return too_many_requests(request)
    found = public_trace(code)
    if found is None:
        return render(request, "stores/trace_unknown.html", {"code": code[:30]}, status=404)
    return render(request, "stores/trace.html", {"trace": found})
