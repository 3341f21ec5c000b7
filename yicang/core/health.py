"""What /healthz reports: each dependency's state and how long it took to answer."""

import time
from collections.abc import Callable
from typing import Any

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from yicang.core.models import WorkerHeartbeat

Check = dict[str, Any]


def _timed(probe: Callable[[], Check]) -> Check:
    started = time.monotonic()
    try:
        result = {"ok": True, **probe()}
    except Exception as exc:  # a health check reports every failure, whatever its kind
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def _database() -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _cache() -> Check:
    key = "healthz:probe"
    token = str(time.time_ns())
    cache.set(key, token, timeout=10)
    if cache.get(key) != token:
        raise RuntimeError("the value written was not read back")
    return {"backend": str(settings.CACHES["default"]["BACKEND"]).rsplit(".", 1)[-1]}


def _broker() -> Check:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"mode": "in-process"}
    with redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2) as client:
        client.ping()
    return {"mode": "redis"}


def _workers() -> Check:
    latest = WorkerHeartbeat.objects.order_by("-seen_at").first()
    if latest is None:
        return {"last_heartbeat": None}
    age = (timezone.now() - latest.seen_at).total_seconds()
    return {"last_heartbeat": latest.seen_at.isoformat(), "age_seconds": round(age)}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the database answers (status "degraded" if anything else does not), 503 otherwise."""
    checks = {"database": _timed(_database), "cache": _timed(_cache), "broker": _timed(_broker)}
    checks["workers"] = _timed(_workers) if checks["database"]["ok"] else {"ok": False, "error": "no database"}
    if not checks["database"]["ok"]:
        state, code = "down", 503
    elif all(check["ok"] for check in checks.values()):
        state, code = "ok", 200
    else:
        state, code = "degraded", 200
    return JsonResponse({"status": state, "checks": checks}, status=code)
