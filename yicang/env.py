"""Typed readers for environment variables.

Every setting that comes from the environment goes through one of these, so that a bad value stops
the process at start-up with a message naming the variable, instead of surfacing as a strange
behaviour hours later.
"""

import os
import re
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class Env:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def raw(self, name: str) -> str | None:
        value = self._environ.get(name)
        return None if value is None else value.strip()

    def string(self, name: str, default: str | None = None) -> str:
        value = self.raw(name)
        if value:
            return value
        if default is None:
            raise ImproperlyConfigured(f"Set the environment variable {name}.")
        return default

    def optional_string(self, name: str) -> str | None:
        return self.raw(name) or None

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if not value:  # unset and empty (as .env.example leaves it) both mean the default
            return default
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, not {value!r}.")

    def integer(self, name: str, default: int, *, minimum: int | None = None) -> int:
        value = self.raw(name)
        if not value:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
        return number

    def rate(self, name: str, default: str) -> str:
        """A request rate such as 120/minute or 60/m: a count per second, minute, hour or day."""
        value = self.raw(name) or default
        if not re.fullmatch(r"[0-9]+/(s|m|h|d|sec|second|min|minute|hour|day)", value):
            raise ImproperlyConfigured(f"{name} must be a count per s, m, h or d, such as 120/m; not {value!r}.")
        return value

    def items(self, name: str, default: list[str] | None = None) -> list[str]:
        value = self.raw(name)
        if not value:
            if default is None:
                raise ImproperlyConfigured(f"Set the environment variable {name} (comma-separated).")
            return list(default)
        return [part.strip() for part in value.split(",") if part.strip()]

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = (self.raw(name) or default).lower()
        if value not in choices:
            raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
        return value
