"""The public registers' response cache, and what tells it that a register changed.

Each register has a version token in the cache; a response is cached under the token that was current
when its request began, so bumping the token makes every cached page of that register unreachable at
once (they expire on their own). The token is bumped after the commit of any write to a model the
register reads: by then the new rows are visible, so the next request computes and caches them.

The bump is wired to post_save and post_delete of those models (`connect()`, from the app's ready()),
not called from the services. That is the one place where this project uses signals, and it is not
domain logic: nothing the programme does depends on it, and it catches every way a row changes —
services, the admin, the shell, demo data — in apps that may not import this one (reports is the
top layer). Bulk `update()` sends no signal; the erasure of a person uses it, so a recorded erasure
(a SensitiveAccess row with action "erase") bumps every register. Anything else that bypasses
save() is caught by CACHE_SECONDS, the most a page can be stale.
"""

import uuid
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

from donors.models import AssistantEnterprise, CompassionFamily, EnterpriseContribution, MediaCoverage, MediaPartner
from recipients.models import RecipientFamily, Vulnerability
from volunteers.models import Membership, TimeDonation, Volunteer
from yicang.community.models import Community, Resident, SensitiveAccess

VOLUNTEERS = "volunteers"
DONOR_FAMILIES = "donor-families"
ENTERPRISES = "assistant-enterprises"
MEDIA = "media"
RECIPIENT_FAMILIES = "recipient-families"
REGISTERS = (VOLUNTEERS, DONOR_FAMILIES, ENTERPRISES, MEDIA, RECIPIENT_FAMILIES)

# A backstop for writes that send no signal (bulk updates, SQL by hand), not the means of freshness.
CACHE_SECONDS = 300

# The models each register reads. Community is read by all of them (codes, names, cities).
READS: dict[type[models.Model], tuple[str, ...]] = {
    Community: REGISTERS,
    Volunteer: (VOLUNTEERS,),
    Resident: (VOLUNTEERS,),
    TimeDonation: (VOLUNTEERS,),
    Membership: (VOLUNTEERS,),
    CompassionFamily: (DONOR_FAMILIES,),
    AssistantEnterprise: (ENTERPRISES,),
    EnterpriseContribution: (ENTERPRISES,),
    MediaPartner: (MEDIA,),
    MediaCoverage: (MEDIA,),
    RecipientFamily: (RECIPIENT_FAMILIES,),
    Vulnerability: (RECIPIENT_FAMILIES,),
}


def _version_key(register: str) -> str:
    return f"registers:version:{register}"


def version(register: str) -> str:
    """The register's current version token (a new one when the cache has lost it)."""
    key = _version_key(register)
    token: str | None = cache.get(key)
    if token is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        token = cache.get(key) or ""
    return token


def bump(registers: Iterable[str]) -> None:
    """Make every cached response of these registers stale."""
    cache.set_many({_version_key(register): uuid.uuid4().hex for register in registers}, timeout=None)


def response_key(register: str, token: str, url: str, media_type: str) -> str:
    return f"registers:{register}:{token}:{media_type}:{uuid.uuid5(uuid.NAMESPACE_URL, url).hex}"


def _changed(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if isinstance(instance, SensitiveAccess) and instance.action != SensitiveAccess.Action.ERASE:
        return
    registers = REGISTERS if sender is SensitiveAccess else READS[sender]
    transaction.on_commit(partial(bump, registers))


def connect() -> None:
    watched: list[type[models.Model]] = [*READS, SensitiveAccess]
    for model in watched:
        post_save.connect(_changed, sender=model, dispatch_uid=f"registers-{model._meta.label}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"registers-{model._meta.label}-delete")
