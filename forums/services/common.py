"""Helpers the forums' services share: a model's own rules refused as a ForumError, and staff of a community."""

from django.core.exceptions import ValidationError
from django.db import models

from forums.exceptions import ForumError
from yicang.community.models import Community, User


def validated(record: models.Model) -> None:
    """The model's own rules (fields, clean, constraints), refused as a ForumError naming each field."""
    try:
        record.full_clean()
    except ValidationError as error:
        parts = []
        for field, messages in error.message_dict.items():
            label = getattr(record._meta.get_field(field), "verbose_name", "") if field != "__all__" else ""
            parts += [f"{label}: {m}" if label else m for m in messages]
        raise ForumError(" ".join(parts)) from None


def staff_of(user: User, community_id: int, permission: str) -> bool:
    return (
        user.is_active
        and user.has_perm(permission)
        and Community.objects.visible_to(user).filter(pk=community_id).exists()
    )
