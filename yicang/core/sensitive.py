from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Sensitive:
    """A field staff may see only with `permission`, one logged look at a time (see community.services.reveal)."""

    label: str | Promise
    permission: str
    read: Callable[[Any], str]
