"""The rights of the person (PIPL arts. 45-47): a copy of one's data, and its erasure.

Erasure anonymises rather than deletes: the household and resident rows stay, so the items they
gave or received, the ledger and the access log keep pointing at something; only what identifies
the person is removed. Every export and erasure is written to the access log.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from donors.models import CompassionFamily
from recipients.models import ConsentRecord, HomeVisit, NeedsAssessment, RecipientFamily
from volunteers.market.models import Request as ServiceRequest
from volunteers.market.models import VerificationRequest
from volunteers.models import Volunteer
from yicang.community.models import Household, Resident, SensitiveAccess, User
from yicang.community.services import record_access
from yicang.core.crypto import unseal
from yicang.core.exceptions import DomainError
from yicang.ledger.models import Account, Leg

ERASED = "匿名"  # what an erased name becomes; the data's own language, whatever the reader's


def _require_reason(reason: str) -> str:
    if not reason.strip():
        raise DomainError(_("Say why; the reason is kept in the access log."))
    return reason.strip()


@transaction.atomic
def export_resident(*, resident: Resident, by: User, reason: str) -> dict[str, Any]:
    """Everything the system holds about one resident and their household, as JSON-ready data."""
    reason = _require_reason(reason)
    household = resident.household
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "resident": {
            "name": resident.name,
            "gender": resident.gender,
            "birth_year": resident.birth_year,
            "id_number": unseal(resident.id_number_sealed) if resident.id_number_sealed else None,
            "id_verified_at": resident.id_verified_at.isoformat() if resident.id_verified_at else None,
            "community": str(resident.community),
            "registered_at": resident.created_at.isoformat(),
        },
        "household": None,
        "recipient_family": None,
        "compassion_family": None,
        "time_account": None,
        "service_requests": [
            {"offer": r.offer.title, "starts_at": r.offer.starts_at.isoformat(), "status": r.status, "note": r.note}
            for r in ServiceRequest.objects.filter(resident=resident).select_related("offer")
        ],
        "residency_checks": [
            {"submitted_at": v.created_at.isoformat(), "status": v.status, "reason": v.reason}
            for v in VerificationRequest.objects.filter(resident=resident)
        ],
        "access_log": [
            {"at": a.at.isoformat(), "action": a.action, "field": a.field, "reason": a.reason}
            for a in SensitiveAccess.objects.filter(subject_type__model="resident", subject_id=resident.pk)
        ],
    }
    if household is not None:
        data["household"] = {
            "name": household.name,
            "address": household.address,
            "members": [m.name for m in household.members.all()],
        }
        data["recipient_family"] = _recipient_data(household)
        data["compassion_family"] = _donor_data(household)
        data["time_account"] = _time_data(household)
    record_access(obj=resident, field="all", user=by, reason=reason, action=SensitiveAccess.Action.EXPORT)
    return data


def _recipient_data(household: Household) -> dict[str, Any] | None:
    family = RecipientFamily.objects.filter(household=household).first()
    if family is None:
        return None
    return {
        "status": family.status,
        "applied_on": family.applied_on.isoformat(),
        "categories": list(family.vulnerabilities.values_list("category", flat=True)),
        "details": unseal(family.details_sealed) if family.details_sealed else None,
        "volunteer_since": family.volunteer_since.isoformat() if family.volunteer_since else None,
        "assessments": [
            {"on": a.assessed_on.isoformat(), "needs": a.needs, "next_review": str(a.next_review or "")}
            for a in family.assessments.all()
        ],
        "consents": [
            {
                "scope": c.scope,
                "given_by": c.given_by,
                "on": c.given_on.isoformat(),
                "withdrawn_on": str(c.withdrawn_on or ""),
            }
            for c in family.consents.all()
        ],
        "home_visits": [{"on": v.visited_on.isoformat(), "notes": v.notes} for v in family.visits.all()],
    }


def _donor_data(household: Household) -> dict[str, Any] | None:
    family = CompassionFamily.objects.filter(household=household).select_related("recruited_by").first()
    if family is None:
        return None
    return {
        "joined_on": family.joined_on.isoformat(),
        "opinion_leader": family.opinion_leader,
        "recruited_by": str(family.recruited_by) if family.recruited_by else None,
        "public_name": family.public_name,
        "public_name_consent": family.public_name_consent,
    }


def _time_data(household: Household) -> dict[str, Any] | None:
    account = Account.objects.filter(household=household, kind=Account.Kind.TIME).first()
    if account is None:
        return None
    return {
        "balance_minutes": account.shown_balance,
        "movements": [
            {"at": leg.posted_at.isoformat(), "minutes": leg.amount, "reason": leg.transaction.reason}
            for leg in Leg.objects.filter(account=account).select_related("transaction").order_by("posted_at")
        ],
    }


@transaction.atomic
def erase_resident(*, resident: Resident, by: User, reason: str) -> Resident:
    """Anonymise one resident: name, ID number, birth year and portal account go; the row stays."""
    reason = _require_reason(reason)
    record_access(obj=resident, field="all", user=by, reason=reason, action=SensitiveAccess.Action.ERASE)
    pseudonym = f"{ERASED} {resident.pk}"
    if resident.user is not None:
        User.objects.filter(pk=resident.user_id).update(
            is_active=False, first_name="", last_name="", email="", username=f"erased-{resident.user_id}"
        )
    Resident.objects.filter(pk=resident.pk).update(
        name=pseudonym,
        gender=Resident.Gender.UNSPECIFIED,
        birth_year=None,
        id_number_sealed="",
        id_number_hash=None,
        id_number_last4="",
        user=None,
        anonymised_at=timezone.now(),
    )
    SensitiveAccess.objects.filter(subject_type__model="resident", subject_id=resident.pk).update(
        subject_label=pseudonym
    )
    ConsentRecord.objects.filter(subject=resident).update(given_by=ERASED)
    Volunteer.objects.filter(resident=resident).update(public_name_consent=False)
    ServiceRequest.objects.filter(resident=resident).update(note="")
    # A pending check still holds the sealed number and perhaps a photo; nothing refers to it.
    for pending in VerificationRequest.objects.filter(resident=resident, status=VerificationRequest.Status.PENDING):
        if pending.photo:
            pending.photo.delete(save=False)
        pending.delete()
    resident.refresh_from_db()
    return resident


@transaction.atomic
def erase_household(*, household: Household, by: User, reason: str) -> Household:
    """Anonymise a household and each of its members, and the family's recipient records."""
    reason = _require_reason(reason)
    record_access(obj=household, field="all", user=by, reason=reason, action=SensitiveAccess.Action.ERASE)
    for member in household.members.all():
        erase_resident(resident=member, by=by, reason=reason)
    Household.objects.filter(pk=household.pk).update(name=f"{ERASED} {household.pk}", address="")
    CompassionFamily.objects.filter(household=household).update(public_name="", public_name_consent=False)
    families = RecipientFamily.objects.filter(household=household)
    families.update(details_sealed="")
    ConsentRecord.objects.filter(family__in=families).update(given_by=ERASED)
    HomeVisit.objects.filter(family__in=families).update(notes="")
    NeedsAssessment.objects.filter(family__in=families).update(needs=ERASED)
    household.refresh_from_db()
    return household
