"""Resident ID numbers (居民身份证号码, GB 11643-1999): 17 digits and a check character."""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: date

    @property
    def last4(self) -> str:
        return self.number[-4:]


def parse_resident_id(raw: str) -> ResidentId:
    """The number, normalised (no spaces, capital X), with its birth date; ValidationError otherwise."""
    number = re.sub(r"\s", "", raw or "").upper()
    if not _SHAPE.match(number):
        raise ValidationError(
            _("A resident ID number has 18 characters: 17 digits, then a digit or X."), code="id_shape"
        )
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date in the number, %(digits)s, is not a real date.") % {"digits": number[6:14]},
            code="id_birth_date",
        ) from None
    if born.year < 1900 or born > timezone.localdate():
        raise ValidationError(
            _("The birth date in the number, %(digits)s, cannot be right.") % {"digits": number[6:14]},
            code="id_birth_date",
        )
    expected = _CHECK[sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True)) % 11]
    if number[17] != expected:
        raise ValidationError(
            _("The last character does not match the others: the number was probably mistyped."), code="id_check"
        )
    return ResidentId(number=number, birth_date=born)


def mask(last4: str) -> str:
    return "*" * 14 + last4 if last4 else ""
