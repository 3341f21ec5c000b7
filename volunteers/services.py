from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from volunteers.exceptions import AlreadyDecided, NotACentreLead, VolunteerError
from volunteers.models import Centre, Group, Membership, TimeDonation, Volunteer
from yicang.community.models import Community, Resident, User
from yicang.ledger.services import credit_time


@transaction.atomic
def register_volunteer(
    *, resident: Resident, skills: str = "", availability: str = "", since: date | None = None
) -> Volunteer:
    """Make a resident a volunteer of their community (their household's time account follows on first credit)."""
    if Volunteer.objects.filter(resident=resident).exists():
        raise VolunteerError(_("%(name)s is already a volunteer.") % {"name": resident.name})
    volunteer = Volunteer(
        community_id=resident.community_id,
        resident=resident,
        skills=skills.strip(),
        availability=availability.strip(),
        since=since or timezone.localdate(),
    )
    volunteer.full_clean()
    volunteer.save()
    return volunteer


@transaction.atomic
def join_group(*, group: Group, resident: Resident, role: str = Membership.Role.MEMBER) -> Membership:
    """Add a resident to a group of their community; joining twice returns the membership there is."""
    membership = Membership.objects.filter(group=group, resident=resident).first()
    if membership is not None:
        return membership
    membership = Membership(group=group, resident=resident, role=role)
    membership.full_clean(validate_unique=False)
    membership.save()
    return membership


@transaction.atomic
def record_time_donation(
    *,
    volunteer: Volunteer,
    minutes: int,
    kind: str,
    description: str,
    by: User,
    given_on: date | None = None,
    group: Group | None = None,
    centre: Centre | None = None,
) -> TimeDonation:
    """Record time a volunteer gave, waiting for a centre lead's confirmation. Nothing is credited yet."""
    if type(minutes) is not int or minutes <= 0:
        raise VolunteerError(_("Give the time as a positive number of minutes."))
    donation = TimeDonation(
        community_id=volunteer.community_id,
        volunteer=volunteer,
        minutes=minutes,
        kind=kind,
        description=description.strip(),
        given_on=given_on or timezone.localdate(),
        group=group,
        centre=centre,
        recorded_by=by,
    )
    donation.full_clean()
    donation.save()
    return donation


def may_confirm(user: User, donation: TimeDonation) -> bool:
    """A lead of one of the community's centres (of the donation's centre, when it names one), or staff
    of the community with the permission to confirm hours."""
    if not user.is_active:
        return False
    community = Community.objects.visible_to(user).filter(pk=donation.community_id)
    if user.has_perm("volunteers.confirm_timedonation") and community.exists():
        return True
    leads = Centre.objects.filter(community_id=donation.community_id, lead_user=user)
    if donation.centre_id is not None:
        leads = leads.filter(pk=donation.centre_id)
    return leads.exists()


@transaction.atomic
def confirm_time_donation(*, donation: TimeDonation, by: User) -> TimeDonation:
    """Confirm the hours and credit them to the volunteer's household through the ledger, once.

    Locks the donation: two leads confirming at the same moment credit it once.
    """
    # Only the donation row is locked: PostgreSQL will not lock the nullable side of the household join.
    donation = (
        TimeDonation.objects.select_for_update(of=("self",))
        .select_related("volunteer__resident__household")
        .get(pk=donation.pk)
    )
    if not may_confirm(by, donation):
        raise NotACentreLead(_("Only a lead of the community's mutual-assistance centre can confirm hours."))
    if donation.status != TimeDonation.Status.PENDING:
        raise AlreadyDecided(_("These hours were already %(status)s.") % {"status": donation.get_status_display()})
    household = donation.volunteer.resident.household
    if household is None:
        raise VolunteerError(
            _("%(name)s belongs to no household, so there is no account to credit.")
            % {"name": donation.volunteer.resident.name}
        )
    donation.credit = credit_time(
        household=household,
        minutes=donation.minutes,
        reason=_("Time given: %(what)s") % {"what": donation.description},
        by=by,
        cause=donation,
        idempotency_key=f"time-donation-{donation.pk}",
    )
    donation.status = TimeDonation.Status.CONFIRMED
    donation.decided_by = by
    donation.decided_at = timezone.now()
    donation.save(update_fields=["credit", "status", "decided_by", "decided_at"])
    return donation


@transaction.atomic
def reject_time_donation(*, donation: TimeDonation, by: User, reason: str) -> TimeDonation:
    """Turn down recorded hours with a reason; nothing is credited."""
    donation = TimeDonation.objects.select_for_update().get(pk=donation.pk)
    if not may_confirm(by, donation):
        raise NotACentreLead(_("Only a lead of the community's mutual-assistance centre can confirm hours."))
    if donation.status != TimeDonation.Status.PENDING:
        raise AlreadyDecided(_("These hours were already %(status)s.") % {"status": donation.get_status_display()})
    if not reason.strip():
        raise VolunteerError(_("Say why the hours are rejected."))
    donation.status = TimeDonation.Status.REJECTED
    donation.decided_by = by
    donation.decided_at = timezone.now()
    donation.rejection_reason = reason.strip()
    donation.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
    return donation
