"""What people may write where the public reads it: plain text, no markup, no contact details.

Residents' issues and help requests, and staff's descriptions of sales, grants, shops and projects on
the fund pages, are shown to anyone. Pages escape it anyway; refusing markup tells the writer at once
instead of showing them their tags as text, and refusing phone numbers, e-mail addresses and ID
numbers keeps personal contact data off public pages: the centre puts people in touch.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A tag or a comment: "<b>", "</p>", "<script", "<!--", "<img src=…". A lone "<" (1 < 2) is fine.
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?]|&#?\w+;|javascript\s*:", re.IGNORECASE)
# A mainland mobile number (11 digits starting 13 to 19), with or without separators, or a landline with area code.
_PHONE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)|(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 18-character resident ID numbers (the last may be X), and WeChat/QQ handles announced as such.
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_HANDLE = re.compile(r"(?:微信|wechat|weixin|QQ|vx)\s*[:：号]?\s*[A-Za-z0-9_-]{5,}", re.IGNORECASE)


def validate_plain_text(value: str) -> None:
    if _MARKUP.search(value):
        raise ValidationError(_("Write plain text: HTML tags, entities and scripts are not accepted."), code="markup")


def validate_no_contact_data(value: str) -> None:
    if _PHONE.search(value) or _EMAIL.search(value) or _ID_NUMBER.search(value) or _HANDLE.search(value):
        raise ValidationError(
            _(
                "Leave out phone numbers, e-mail addresses, ID numbers and chat handles: this is shown in public. "
                "The centre puts people in touch."
            ),
            code="contact_data",
        )


PUBLIC_TEXT = [validate_plain_text, validate_no_contact_data]
