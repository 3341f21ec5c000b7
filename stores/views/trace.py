from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.decorators import ratelimit

from stores.selectors.public import public_trace
from yicang.core.clients import too_many_requests


def trace_rate(group: str, request: HttpRequest) -> str:
    return str(settings.TRACE_RATE)  # read at each request, like the API's, so that settings can change it


@ratelimit(key="ip", rate=trace_rate, block=False)  # type: ignore[untyped-decorator]  # the library ships no types
def trace(request: HttpRequest, code: str) -> HttpResponse:
    """The public trace of one item, opened from the QR on its label or typed from a receipt; no JavaScript."""
    if getattr(request, "limited", False):
        return too_many_requests(request)
    found = public_trace(code)
    if found is None:
        return render(request, "stores/trace_unknown.html", {"code": code[:30]}, status=404)
    return render(request, "stores/trace.html", {"trace": found})
