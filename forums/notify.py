"""Telling supporters that an issue they support changed state (the work of forums.notify_supporters)."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from forums.models import IssueChange, Notification
from yicang.community.models import User


def deliver_notifications(change_id: int) -> int:
    """Write an inbox line for every supporter with a portal account, then e-mail those with an address.

    Inbox lines are unique per change and account, so a second run adds none. E-mails are sent from
    lines not yet marked sent, locked (skipping lines another run holds), so two runs at once send
    each e-mail once; a crash between sending and marking can repeat one e-mail, never lose one.
    Returns how many e-mails were sent.
    """
    change = IssueChange.objects.select_related("issue").get(pk=change_id)
    users = User.objects.filter(resident__forum_supports__issue_id=change.issue_id, is_active=True).order_by("pk")
    Notification.objects.bulk_create(
        [Notification(community_id=change.community_id, user=user, change=change) for user in users],
        ignore_conflicts=True,
    )
    subject = _("Yicang forum: %(issue)s is now %(state)s") % {
        "issue": change.issue.title,
        "state": change.get_to_state_display(),
    }
    link = settings.YICANG_PUBLIC_URL.rstrip("/") + reverse("forums:issue", args=[change.issue_id])
    body = _(
        "An issue you support has changed.\n\n%(issue)s\nNow: %(state)s\n%(note)s\n\nSee its progress: %(link)s\n"
    ) % {"issue": change.issue.title, "state": change.get_to_state_display(), "note": change.note, "link": link}
    sent = 0
    with transaction.atomic():
        pending = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(change=change, emailed_at__isnull=True)
            .exclude(user__email="")
            .select_related("user")
            .order_by("pk")
        )
        for notification in pending:
            send_mail(subject, body, None, [notification.user.email])
            notification.emailed_to = notification.user.email
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_to", "emailed_at"])
            sent += 1
    return sent
