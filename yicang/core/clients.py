"""Who is asking: the client's address behind the deployment's reverse proxies, and a rate limit on pages."""

import ipaddress
import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited
from rest_framework.throttling import BaseThrottle

from yicang.core.public_cache import CACHE_DOWN

logger = logging.getLogger(__name__)

# The API throttles itself (DRF); static files and the health check are not pages people read.
NOT_PAGES = ("/api/", "/static/", "/healthz")


def client_ip(request: HttpRequest) -> str:
    """The client's address as the API's throttles see it (DRF's NUM_PROXIES, set from TRUSTED_PROXIES).

    So pages and the API count a client alike. Addresses left of the trusted ones were written by the
    client and are never believed; what a misconfigured proxy forwards that is not an address counts as
    the proxy itself.
    """
    candidate = BaseThrottle().get_ident(request)  # type: ignore[arg-type]  # reads only request.META
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return str(request.META.get("REMOTE_ADDR", ""))


def over_rate(request: HttpRequest, *, group: str, rate: str) -> bool:
    """Whether this request takes its client past `rate` for `group`; counts it. False while the cache is down."""
    try:
        return bool(is_ratelimited(request, group=group, key="ip", rate=rate, increment=True))
    except CACHE_DOWN as error:
        logger.warning("The cache is down (%s): %s is not rate limited.", error, group)
        return False


def too_many_requests(request: HttpRequest) -> HttpResponse:
    """The page a client gets past a rate limit: 429, and when to come back."""
    response = render(request, "rate_limited.html", status=429)
    response["Retry-After"] = "60"
    return response


class PageRateLimitMiddleware:
    """Anonymous requests for pages are limited per client address (settings.PAGE_RATE).

    Signed-in people are known and not limited here. The login forms are pages too, so guessing
    passwords is limited with the rest.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated or request.path.startswith(NOT_PAGES):
            return self.get_response(request)
        if over_rate(request, group="pages", rate=settings.PAGE_RATE):
            return too_many_requests(request)
        return self.get_response(request)
