"""Notifications: a resident's portal inbox."""

from collections.abc import Iterable

from django.utils import timezone

from forums.models import Notification
from yicang.community.models import User


def mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark a resident's own notifications read (all of them when no ids are given); returns how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())
