from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from recipients.exceptions import ConsentMissing, NotAllowedTransition, RecipientError
from recipients.models import (
    ConsentRecord,
    HomeVisit,
    NeedsAssessment,
    RecipientFamily,
    StatusChange,
    Vulnerability,
    is_child,
)
from yicang.community.models import Household, Resident, User
from yicang.core.crypto import seal


@transaction.atomic
def register_recipient(
    *, household: Household, categories: Iterable[str], by: User, applied_on: date | None = None
) -> RecipientFamily:
    """Put a household on the books as applying for support, with its vulnerability categories."""
    if RecipientFamily.objects.filter(household=household).exists():
        raise RecipientError(_("%(household)s is already a recipient family.") % {"household": household})
    chosen = sorted(set(categories))
    unknown = set(chosen) - set(Vulnerability.Category.values)
    if unknown:
        raise RecipientError(_("Unknown categories: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    family = RecipientFamily.objects.create(
        community=household.community, household=household, applied_on=applied_on or timezone.localdate()
    )
    Vulnerability.objects.bulk_create([Vulnerability(family=family, category=c) for c in chosen])
    StatusChange.objects.create(family=family, from_status="", to_status=family.status, by=by)
    return family


@transaction.atomic
def change_status(*, family: RecipientFamily, to: str, by: User, note: str = "") -> RecipientFamily:
    """Move a family along its allowed path (see RecipientFamily.TRANSITIONS), keeping the history.

    Locks the family, so two staff changing it at once cannot both succeed from the same status.
    """
    family = RecipientFamily.objects.select_for_update().get(pk=family.pk)
    if to not in RecipientFamily.TRANSITIONS[family.status]:
        raise NotAllowedTransition(
            _("A family that is %(now)s cannot become %(to)s.")
            % {"now": family.get_status_display(), "to": RecipientFamily.Status(to).label}
        )
    StatusChange.objects.create(family=family, from_status=family.status, to_status=to, by=by, note=note)
    family.status = to
    family.save(update_fields=["status"])
    return family


@transaction.atomic
def assess(
    *, family: RecipientFamily, by: User, needs: str, next_review: date | None, assessed_on: date | None = None
) -> NeedsAssessment:
    """Record a needs assessment; an applying family thereby becomes assessed."""
    assessed_on = assessed_on or timezone.localdate()
    if not needs.strip():
        raise RecipientError(_("Write down the needs that were assessed."))
    if next_review is not None and next_review <= assessed_on:
        raise RecipientError(_("The next review must come after the assessment."))
    assessment = NeedsAssessment.objects.create(
        family=family, assessed_by=by, assessed_on=assessed_on, needs=needs.strip(), next_review=next_review
    )
    if family.status == RecipientFamily.Status.APPLIED:
        change_status(family=family, to=RecipientFamily.Status.ASSESSED, by=by)
    return assessment


@transaction.atomic
def record_consent(
    *,
    family: RecipientFamily,
    scope: str,
    given_by: str,
    by: User,
    subject: Resident | None = None,
    by_guardian: bool = False,
    given_on: date | None = None,
) -> ConsentRecord:
    """Record a consent; one for a child under 14 must come from a guardian (ValidationError otherwise)."""
    consent = ConsentRecord(
        family=family,
        scope=scope,
        subject=subject,
        given_by=given_by.strip(),
        by_guardian=by_guardian,
        given_on=given_on or timezone.localdate(),
        recorded_by=by,
    )
    consent.full_clean()
    consent.save()
    return consent


@transaction.atomic
def withdraw_consent(*, consent: ConsentRecord, on: date | None = None) -> ConsentRecord:
    """Withdraw a consent; sensitive details it covered are erased when no consent covers them any more."""
    consent.withdrawn_on = on or timezone.localdate()
    consent.save(update_fields=["withdrawn_on"])
    if consent.scope == ConsentRecord.Scope.SENSITIVE and sensitive_consent_problem(consent.family):
        RecipientFamily.objects.filter(pk=consent.family_id).update(details_sealed="")
    return consent


def sensitive_consent_problem(family: RecipientFamily) -> str | None:
    """Why sensitive details may not be kept for this family now, or None when they may."""
    active = ConsentRecord.objects.filter(family=family, scope=ConsentRecord.Scope.SENSITIVE, withdrawn_on__isnull=True)
    if not active.exists():
        return _("No one has consented to the family's sensitive information being recorded.")
    family_guardian = active.filter(subject__isnull=True, by_guardian=True).exists()
    for child in (r for r in Resident.objects.filter(household_id=family.household_id) if is_child(r)):
        if not family_guardian and not active.filter(subject=child, by_guardian=True).exists():
            return _("%(name)s is under 14: a guardian must consent before sensitive information is recorded.") % {
                "name": child.name
            }
    return None


@transaction.atomic
def set_sensitive_details(*, family: RecipientFamily, details: str, by: User) -> RecipientFamily:
    """Seal the family's health, disability and income details; refused without the consent they need."""
    if details.strip() and (reason := sensitive_consent_problem(family)) is not None:
        raise ConsentMissing(reason)
    family.details_sealed = seal(details.strip()) if details.strip() else ""
    family.save(update_fields=["details_sealed"])
    return family


@transaction.atomic
def record_became_volunteer(*, family: RecipientFamily, on: date | None = None) -> RecipientFamily:
    """Note the day the family began to give time; the first such day is the one that counts."""
    on = on or timezone.localdate()
    if on < family.applied_on:
        raise RecipientError(_("A family cannot have started volunteering before it applied."))
    if family.volunteer_since is None or on < family.volunteer_since:
        family.volunteer_since = on
        family.save(update_fields=["volunteer_since"])
    return family


def record_home_visit(*, family: RecipientFamily, visitor: User, notes: str, on: date | None = None) -> HomeVisit:
    """Note a home visit by a volunteer or staff member."""
    return HomeVisit.objects.create(
        family=family, visitor=visitor, notes=notes.strip(), visited_on=on or timezone.localdate()
    )
