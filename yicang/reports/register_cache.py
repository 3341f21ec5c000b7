"""The models each public register reads, so that a save of one makes that register's cached pages stale.

The cache itself is yicang.core.public_cache; a register's pages read the topic `registers:<name>`.
Bulk update() sends no signal: the erasure of a person uses it, and its recorded erasure bumps ALL
(see yicang.community.apps), which every register reads too.
"""

from django.db import models

from donors.models import AssistantEnterprise, CompassionFamily, EnterpriseContribution, MediaCoverage, MediaPartner
from recipients.models import RecipientFamily, Vulnerability
from volunteers.models import Membership, TimeDonation, Volunteer
from yicang.community.models import Resident
from yicang.core import public_cache

VOLUNTEERS = "volunteers"
DONOR_FAMILIES = "donor-families"
ENTERPRISES = "assistant-enterprises"
MEDIA = "media"
RECIPIENT_FAMILIES = "recipient-families"
REGISTERS = (VOLUNTEERS, DONOR_FAMILIES, ENTERPRISES, MEDIA, RECIPIENT_FAMILIES)

# The models each register reads, besides Community (every public answer reads it: see ALL).
READS: dict[type[models.Model], tuple[str, ...]] = {
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


def topic(register: str) -> str:
    return f"registers:{register}"


def connect() -> None:
    for model, registers in READS.items():
        public_cache.watch(model, public_cache.topics(*(topic(register) for register in registers)))
