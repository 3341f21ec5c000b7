"""The help-requests board between forums: a resident asks, volunteers offer, staff moderate.

Requests are public without their author's name; offers are seen by the asker and the centre only.
Neither carries contact data (yicang.core.text refuses it): the centre puts neighbours in touch.
"""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from volunteers.models import Volunteer
from yicang.community.models import CommunityOwned, Resident, User
from yicang.core.text import PUBLIC_TEXT, validate_plain_text

MAX_HELP_TEXT = 1000


class HelpRequest(CommunityOwned):
    class State(models.TextChoices):
        OPEN = "open", _("open")
        HIDDEN = "hidden", _("hidden by the centre")
        DONE = "done", _("helped")

    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="help_requests", verbose_name=_("asked by")
    )
    title = models.CharField(_("what help is needed"), max_length=80, validators=PUBLIC_TEXT)
    text = models.TextField(_("details"), validators=[MaxLengthValidator(MAX_HELP_TEXT), *PUBLIC_TEXT])
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN, editable=False)
    moderation_note = models.CharField(
        _("moderation note"), max_length=200, blank=True, validators=[validate_plain_text], editable=False
    )
    moderated_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("moderated by")
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["community", "state", "created_at"], name="help_request_board")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="hidden") | ~Q(moderation_note=""), name="help_request_hidden_with_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class HelpOffer(CommunityOwned):
    class State(models.TextChoices):
        OFFERED = "offered", _("offered")
        HIDDEN = "hidden", _("hidden by the centre")

    help_request = models.ForeignKey(
        HelpRequest, on_delete=models.PROTECT, related_name="offers", verbose_name=_("help request")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="help_offers", verbose_name=_("volunteer")
    )
    message = models.CharField(_("message"), max_length=300, validators=PUBLIC_TEXT)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OFFERED, editable=False)
    created_at = models.DateTimeField(_("offered at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("help offer")
        verbose_name_plural = _("help offers")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["help_request", "volunteer"], name="help_offer_once_per_volunteer"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} → {self.help_request}"
