from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forums.models.forums import IssueChange
from yicang.community.models import CommunityOwned, User


class Notification(CommunityOwned):
    """A line in a resident's portal inbox: an issue they support changed state.

    One per change and account (a unique key), so the task that writes them may run twice; `emailed_at`
    records the e-mail sent, so it is sent once.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="forum_notifications", verbose_name=_("to"))
    change = models.ForeignKey(
        IssueChange, on_delete=models.PROTECT, related_name="notifications", verbose_name=_("change")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_to = models.EmailField(_("e-mailed to"), blank=True, editable=False)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_inbox")]
        constraints = [models.UniqueConstraint(fields=["change", "user"], name="notification_once_per_change")]

    def __str__(self) -> str:
        return f"{self.user} · {self.change}"
