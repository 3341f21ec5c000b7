"""Delivery plans: a mutual-assistance centre's volunteers take planned items to recipient families.

A plan is drafted (items reserved per family), goes out (items dispatched by scanning), and each
delivery is confirmed at the door with the family's code or the volunteer's photo. Closing the plan
returns what was not delivered to stock. The item side of every step is an ItemEvent (services).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recipients.models import RecipientFamily
from stores.models.items import Warehouse
from volunteers.models import Centre, Volunteer
from yicang.community.models import CommunityOwned, User


class DeliveryPlan(CommunityOwned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("being planned")
        OUT = "out", _("out for delivery")
        CLOSED = "closed", _("closed")

    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="delivery_plans", verbose_name=_("mutual-assistance centre")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="delivery_plans", verbose_name=_("items leave from")
    )
    planned_for = models.DateField(_("planned for"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=6, choices=Status.choices, default=Status.DRAFT)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("planned by"))
    created_at = models.DateTimeField(_("planned at"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("delivery plan")
        verbose_name_plural = _("delivery plans")
        ordering = ["-planned_for", "-pk"]
        indexes = [models.Index(fields=["community", "status"], name="deliveryplan_community_status")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["draft", "out", "closed"]), name="deliveryplan_status"),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False) | (~Q(status="closed") & Q(closed_at=None)),
                name="deliveryplan_closed_when_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre} {self.planned_for:%Y-%m-%d} #{self.pk}"


class Delivery(CommunityOwned):
    """One family's visit within a plan: the items it takes and how the family confirmed them."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        OUT = "out", _("on the way")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("not delivered")

    class Confirmation(models.TextChoices):
        FAMILY_CODE = "family_code", _("the family's confirmation code")
        PHOTO = "photo", _("the volunteer's confirmation with a photo")

    plan = models.ForeignKey(DeliveryPlan, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("plan"))
    family = models.ForeignKey(
        RecipientFamily, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("recipient family")
    )
    volunteer = models.ForeignKey(
        Volunteer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("volunteer"),
    )
    status = models.CharField(_("status"), max_length=9, choices=Status.choices, default=Status.PLANNED)
    # Six digits given to the family beforehand (by phone or on the notice); sealed like other personal data.
    code_sealed = models.TextField(editable=False)
    wrong_codes = models.PositiveSmallIntegerField(_("wrong codes entered"), default=0, editable=False)
    confirmation = models.CharField(
        _("confirmed with"), max_length=11, choices=Confirmation.choices, blank=True, editable=False
    )
    photo = models.ImageField(_("photo"), upload_to="deliveries/%Y/%m/", blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("delivered at"), null=True, blank=True, editable=False)
    confirmed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("confirmed by")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["plan_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "family"], name="delivery_one_per_family_in_plan"),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "out", "delivered", "failed"]), name="delivery_status"
            ),
            models.CheckConstraint(
                condition=~Q(status="delivered")
                | (Q(confirmed_at__isnull=False) & Q(confirmed_by__isnull=False) & ~Q(confirmation="")),
                name="delivery_delivered_is_confirmed",
            ),
            models.CheckConstraint(
                condition=~Q(confirmation="photo") | ~Q(photo=""), name="delivery_photo_confirmation_has_photo"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} → {self.family}"

    @property
    def has_photo(self) -> bool:
        return bool(self.photo)
