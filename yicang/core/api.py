import copy
import logging
from collections.abc import Callable, Sequence
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, BaseThrottle, ScopedRateThrottle, UserRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from yicang.core import public_cache
from yicang.core.exceptions import DomainError

if TYPE_CHECKING:  # rest_framework.views imports the throttles named in settings from here while it loads
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

Handler = TypeVar("Handler", bound=Callable[..., Response])
TopicsOfRequest = Callable[[Any, Request, dict[str, Any]], Sequence[str] | None]


class FailOpen(BaseThrottle):
    """A throttle that lets requests through, logged, while the cache it counts in is down."""

    def allow_request(self, request: Request, view: "APIView") -> bool:
        try:
            return bool(super().allow_request(request, view))
        except public_cache.CACHE_DOWN as error:
            logger.warning("The cache is down (%s): %s does not limit.", error, type(self).__name__)
            return True


class RatesReadNow:
    """Rates read at each request: DRF's own classes keep the rates they saw at import."""

    scope: str | None

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(str(self.scope))
        return None if rate is None else str(rate)


class AnonThrottle(FailOpen, RatesReadNow, AnonRateThrottle):
    pass


class UserThrottle(FailOpen, RatesReadNow, UserRateThrottle):
    pass


class ScopedThrottle(FailOpen, ScopedRateThrottle):
    """A view's own rate (its `throttle_scope`), such as the public trace's."""


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus domain errors: 400 for a broken rule, 409 for a conflict."""
    if isinstance(exc, DomainError):
        return Response({"detail": str(exc.message), "code": exc.code}, status=exc.status)
    return drf_exception_handler(exc, context)


class CleanModelSerializer(serializers.ModelSerializer[Any]):
    """A ModelSerializer that also runs the model's own clean(), so a rule lives in one place."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        model: type[Model] = self.Meta.model
        candidate = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            setattr(candidate, name, value)
        try:
            candidate.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(serializers.as_serializer_error(error)) from error
        return attrs


def cached_answer(topics_of: TopicsOfRequest) -> Callable[[Handler], Handler]:
    """For a public GET handler: its 200 answers are cached (see yicang.core.public_cache) per URL and
    media type, under `topics_of(view, request, url kwargs)`; None there answers without the cache.

    The view's permission and throttle checks run first, on a hit too. Errors are never cached.
    """

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        def answer(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
            topics = topics_of(view, request, kwargs)
            if topics is None:
                return handler(view, request, *args, **kwargs)
            fresh: list[Response] = []

            def compute() -> Any:
                response = handler(view, request, *args, **kwargs)
                fresh.append(response)
                return response.data if response.status_code == 200 else None

            media_type = request.accepted_renderer.media_type if request.accepted_renderer else ""
            data = public_cache.cached(topics, f"{media_type}|{request.build_absolute_uri()}", compute)
            return fresh[0] if fresh else Response(data)

        return answer  # type: ignore[return-value]  # same signature as the handler it wraps

    return decorate
