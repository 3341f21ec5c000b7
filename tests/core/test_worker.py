"""A real Celery worker process, over Redis, runs a task whose effect lands in the test database."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from yicang.celery import app as celery_app
from yicang.core.models import WorkerHeartbeat
from yicang.core.tasks import record_heartbeat

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Worker:
    queue: str
    hostname: str
    process: subprocess.Popen[bytes]


def _database_url_of_this_test() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(redis_url: str, transactional_db: None) -> Iterator[Worker]:
    # A queue of its own, so a developer's worker on the same Redis cannot take the test's task.
    queue = f"test-{uuid.uuid4().hex[:12]}"
    hostname = f"{queue}@{socket.gethostname()}"
    env = {**os.environ, "DATABASE_URL": _database_url_of_this_test(), "REDIS_URL": redis_url}
    command = [sys.executable, "-m", "celery", "-A", "yicang", "worker", "-Q", queue, "-n", hostname]
    command += ["--pool", "solo", "--without-mingle", "--without-gossip", "--loglevel", "WARNING"]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = False
    try:
        yield Worker(queue=queue, hostname=hostname, process=process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_real_worker_runs_a_task_and_writes_to_the_database(worker: Worker) -> None:
    assert settings.CELERY_BROKER_URL.startswith("redis")

    record_heartbeat.apply_async(queue=worker.queue)

    deadline = time.monotonic() + 60
    while not WorkerHeartbeat.objects.filter(worker=worker.hostname).exists():
        if worker.process.poll() is not None:
            output = worker.process.stdout.read().decode() if worker.process.stdout else ""
            pytest.fail(f"the worker exited with {worker.process.returncode}:\n{output}")
        if time.monotonic() > deadline:
            pytest.fail("the worker did not run the task within 60 s")
        time.sleep(0.2)
    assert WorkerHeartbeat.objects.get(worker=worker.hostname).seen_at is not None
