"""Demo recipient families: a few households of each demo community, at different points of their path."""

from datetime import timedelta

from django.utils import timezone

from recipients.models import RecipientFamily
from recipients.services import (
    assess,
    change_status,
    record_became_volunteer,
    record_consent,
    record_home_visit,
    register_recipient,
    set_sensitive_details,
)
from yicang.community.models import Community, Household, User

PLAN = [
    (["elderly_alone"], "active", "独居，高血压，需每周送菜和陪诊", True),
    (["disabled", "low_income"], "active", "二级肢体残疾，低保户", False),
    (["left_behind_children"], "assessed", "", False),
    (["seriously_ill"], "applied", "", False),
]


def seed_recipients(communities: list[Community], clerk: User) -> None:
    """Four recipient families per community; skipped where the community already has some."""
    for community in communities:
        if RecipientFamily.objects.filter(community=community).exists():
            continue
        # The last households of the demo, so that the first (with time accounts) stay donors.
        households = list(Household.objects.filter(community=community).order_by("-pk")[: len(PLAN)])
        for household, (categories, status, details, volunteers) in zip(households, PLAN, strict=False):
            _seed_family(household, categories, status, details, volunteers, clerk)


def _seed_family(
    household: Household, categories: list[str], status: str, details: str, volunteers: bool, clerk: User
) -> None:
    today = timezone.localdate()
    family = register_recipient(
        household=household, categories=categories, by=clerk, applied_on=today - timedelta(days=120)
    )
    if status == "applied":
        return
    assess(
        family=family,
        by=clerk,
        needs="米面油每月一次；每周入户探访",
        next_review=today + timedelta(days=90),
        assessed_on=today - timedelta(days=100),
    )
    if status == "active":
        change_status(family=family, to="active", by=clerk)
        record_consent(family=family, scope="personal", given_by=household.name, by=clerk)
        record_consent(family=family, scope="sensitive", given_by=household.name, by=clerk, by_guardian=True)
        set_sensitive_details(family=family, details=details, by=clerk)
        record_home_visit(family=family, visitor=clerk, notes="送去米面油，老人精神不错", on=today - timedelta(days=7))
    if volunteers:
        record_became_volunteer(family=family, on=today - timedelta(days=30))
