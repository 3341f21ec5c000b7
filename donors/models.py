"""Donors: compassion families (the donor role of a household, recruited snowball-fashion from opinion
leaders), and the assistant enterprises and media partners of the public registers.

The contact people of enterprises and media are private: their names and phones are for staff only
(the phones masked in lists) and never published; the public registers name an organisation or a
family only with its consent.
"""

import re
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yicang.community.models import CommunityOwned, Household, User
from yicang.community.scoping import CommunityScopedQuerySet


def mask_phone(phone: str) -> str:
    """A phone number as lists show it: 138****5678, enough to tell two contacts apart, not to call them."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) >= 8:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    # Too short to keep both ends (an extension, a typo): only the last two digits show.
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 \-]{4,19}$", _("Digits only, with spaces or hyphens if you like, e.g. 138 1234 5678.")
)


class CompassionFamilyQuerySet(CommunityScopedQuerySet["CompassionFamily"]):
    def recruiters(self) -> dict[int, int | None]:
        """Each family's recruiter's id, in one query: what the tree rules and the snowball figures walk."""
        return dict(self.order_by().values_list("pk", "recruited_by_id"))


class CompassionFamily(CommunityOwned):
    """The donor role of a household (爱心家庭). Opinion leaders are recruited first and recruit other
    families, who recruit others in turn: `recruited_by` records the snowball as a tree."""

    household = models.OneToOneField(
        Household, on_delete=models.PROTECT, related_name="compassion_family", verbose_name=_("household")
    )
    opinion_leader = models.BooleanField(
        _("opinion leader"), default=False, help_text=_("Recruited first, to recruit other families in turn.")
    )
    recruited_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recruits",
        verbose_name=_("recruited by"),
        help_text=_("The compassion family that brought this one in, if any."),
    )
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    public_name_consent = models.BooleanField(
        _("consents to a public name"),
        default=False,
        help_text=_("The family agreed that its public name may appear in the public register of donor families."),
    )
    public_name = models.CharField(
        _("public name"),
        max_length=80,
        blank=True,
        help_text=_("The name shown publicly, only with consent, e.g. 王家."),
    )
    # When the current consent decision (given or withdrawn) was recorded: PIPL asks us to show it.
    consent_recorded_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True, editable=False)
    registered_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = CompassionFamilyQuerySet.as_manager()  # type: ignore[misc]  # narrows the inherited manager

    class Meta:
        verbose_name = _("compassion family")
        verbose_name_plural = _("compassion families")
        ordering = ["community_id", "-opinion_leader", "joined_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recruited_by__isnull=True) | ~Q(recruited_by=F("id")),
                name="compassionfamily_not_own_recruiter",
                violation_error_message=_("A family cannot recruit itself."),
            ),
            models.CheckConstraint(
                condition=Q(public_name_consent=False) | ~Q(public_name=""),
                name="compassionfamily_consent_has_public_name",
                violation_error_message=_("Give the name to show publicly, or leave the consent unticked."),
            ),
            models.CheckConstraint(
                condition=Q(public_name_consent=False) | Q(consent_recorded_at__isnull=False),
                name="compassionfamily_consent_is_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.household.name

    def clean(self) -> None:
        super().clean()
        household_id, community_id = self.household_id, self.community_id
        if household_id is not None and community_id is not None and self.household.community_id != community_id:
            raise ValidationError({"household": _("The household belongs to another community.")})
        if self.recruited_by_id is not None:
            self._clean_recruiter()

    def _clean_recruiter(self) -> None:
        recruiter = self.recruited_by
        assert recruiter is not None
        if self.pk is not None and recruiter.pk == self.pk:
            raise ValidationError({"recruited_by": _("A family cannot recruit itself.")})
        if recruiter.community_id != self.community_id:
            raise ValidationError(
                {
                    "recruited_by": _(
                        "The recruiting family, %(recruiter)s, belongs to another community: "
                        "a family can only be recruited within its own community."
                    )
                    % {"recruiter": recruiter}
                }
            )
        chain = self._chain_down_to(recruiter)
        if chain:
            names = dict(CompassionFamily.objects.filter(pk__in=chain).values_list("pk", "household__name"))
            raise ValidationError(
                {
                    "recruited_by": _(
                        "%(recruiter)s cannot recruit %(family)s: the recruitment chain already runs "
                        "%(chain)s, so the tree would loop."
                    )
                    % {"recruiter": recruiter, "family": self, "chain": " → ".join(names[pk] for pk in chain)}
                }
            )

    def _chain_down_to(self, recruiter: "CompassionFamily") -> list[int]:
        """The ids from this family down to `recruiter` when this family is already above it (taking
        `recruiter` would close a loop); empty otherwise.

        One query for the community's whole tree, then a walk up from the recruiter in memory.
        """
        if self.pk is None:
            return []  # a new family has no recruits yet, so nothing is below it
        parents = CompassionFamily.objects.filter(community_id=self.community_id).recruiters()
        parents[self.pk] = recruiter.pk
        chain: list[int] = []
        seen: set[int] = set()
        current: int | None = recruiter.pk
        # `seen` stops the walk on a loop already in the data (written around these rules, in SQL).
        while current is not None and current not in seen:
            chain.append(current)
            seen.add(current)
            if current == self.pk:
                return chain[::-1]
            current = parents.get(current)
        return []


class Partner(CommunityOwned):
    """An organisation that helps the programme; its contact person's data is private."""

    name = models.CharField(_("name"), max_length=120)
    contact_name = models.CharField(_("contact person"), max_length=80, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=24, blank=True, validators=[phone_validator])
    public_consent = models.BooleanField(
        _("may be named publicly"),
        default=False,
        help_text=_("The organisation agreed that its name may appear in the public register."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)


class AssistantEnterprise(Partner):
    """An assistant enterprise (爱心企业): gives goods, money or services; one of the five public registers."""

    since = models.DateField(_("partner since"), default=timezone.localdate)

    class Meta:
        verbose_name = _("assistant enterprise")
        verbose_name_plural = _("assistant enterprises")
        ordering = ["community_id", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="assistantenterprise_unique_name"),
        ]


class EnterpriseContribution(models.Model):
    """What an enterprise gave, once: goods, money or services."""

    community_path: ClassVar[str] = "enterprise__community"

    enterprise = models.ForeignKey(
        AssistantEnterprise, on_delete=models.PROTECT, related_name="contributions", verbose_name=_("enterprise")
    )
    given_on = models.DateField(_("date"), default=timezone.localdate)
    description = models.CharField(
        _("what they gave"), max_length=300, help_text=_("Goods, money or services, e.g. 200 kg of rice.")
    )
    # Integer fen, never a float: ¥1,234.56 is 123456.
    amount_fen = models.PositiveBigIntegerField(
        _("amount or value (fen)"),
        null=True,
        blank=True,
        help_text=_("The money given, or the value of the goods or services if known."),
    )

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise contribution")
        verbose_name_plural = _("enterprise contributions")
        ordering = ["enterprise_id", "-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_fen__isnull=True) | Q(amount_fen__gt=0),
                name="enterprisecontribution_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.description


class MediaPartner(Partner):
    """A media partner: reports on the programme; one of the five public registers."""

    class Outlet(models.TextChoices):
        NEWSPAPER = "newspaper", _("newspaper")
        TV = "tv", _("television")
        RADIO = "radio", _("radio")
        ONLINE = "online", _("online")
        OTHER = "other", _("other")

    outlet = models.CharField(_("kind of outlet"), max_length=12, choices=Outlet.choices, default=Outlet.NEWSPAPER)

    class Meta:
        verbose_name = _("media partner")
        verbose_name_plural = _("media partners")
        ordering = ["community_id", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="mediapartner_unique_name"),
        ]


class MediaCoverage(models.Model):
    """One report by a media partner."""

    community_path: ClassVar[str] = "partner__community"

    partner = models.ForeignKey(
        MediaPartner, on_delete=models.PROTECT, related_name="coverage", verbose_name=_("media partner")
    )
    published_on = models.DateField(_("date"), default=timezone.localdate)
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), max_length=500, blank=True)

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("media coverage")
        verbose_name_plural = _("media coverage")
        ordering = ["partner_id", "-published_on", "-pk"]

    def __str__(self) -> str:
        return self.title
