"""What every entry of money in this app shares: an idempotency key unique in its community, and the
ledger transaction that moved the money."""

import re

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yicang.community.models import CommunityOwned, User
from yicang.ledger.models import Transaction

# One share of a lattice fund: CNY 1,000, in fen.
SHARE_FEN = 100_000

KEY_PATTERN = re.compile(r"[A-Za-z0-9_.:\-]{8,100}")
key_validator = RegexValidator(
    KEY_PATTERN,
    _("An idempotency key is 8 to 100 letters, digits, dots, colons, hyphens or underscores."),
)


class MoneyEntry(CommunityOwned):
    """A sale, a share subscription, a grant or a spending: one row and one ledger transaction.

    The key comes from the form (a hidden field made when it was shown) or from the API caller: a form
    sent twice, or a call retried, finds the first row by (community, key), a unique key in the
    database, so two concurrent submissions cannot both write.
    """

    idempotency_key = models.CharField(_("idempotency key"), max_length=100, validators=[key_validator], editable=False)
    transaction = models.OneToOneField(
        Transaction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("ledger transaction"),
    )
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(fields=["community", "idempotency_key"], name="%(class)s_unique_key"),
        ]
