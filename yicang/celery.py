"""The Celery application. Its configuration is the CELERY_* part of yicang/settings.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yicang.settings")

app = Celery("yicang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
