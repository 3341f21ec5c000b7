from typing import Any

from celery import shared_task
from celery.app.task import Task
from django.utils import timezone

from yicang.core.models import WorkerHeartbeat


@shared_task(name="core.record_heartbeat", bind=True)
def record_heartbeat(self: "Task[Any, Any]") -> None:
    """Note that this worker is alive. Safe to run any number of times: one row per worker."""
    worker = self.request.hostname or "in-process"
    WorkerHeartbeat.objects.update_or_create(worker=worker, defaults={"seen_at": timezone.now()})
