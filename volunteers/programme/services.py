from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from volunteers.models import Volunteer
from volunteers.programme.exceptions import (
    AlreadyRecorded,
    AudienceMissing,
    FundTooSmall,
    GrantAlreadyPaid,
    NotAllowed,
    NotTheCommunityFund,
    OtherCommunity,
    ProgrammeError,
    TenDoorsKnocked,
    WrongActivityKind,
)
from volunteers.programme.models import (
    DOORS_PER_CHILD,
    Activity,
    Attendance,
    CapacityGrant,
    Commendation,
    NeighbourVisit,
    Performer,
    RiceChild,
    TheatreAudience,
    TrainingSession,
)
from yicang.community.models import Community, Household, Resident, User
from yicang.ledger.exceptions import InsufficientBalance
from yicang.ledger.models import Account
from yicang.ledger.services import Entry, grant_account, post_transaction
from yicang.ledger.units import format_amount

VIEW_AUDIENCE = "volunteer_programme.view_audience"
PAY_GRANT = "volunteer_programme.pay_capacitygrant"


def _checked(record: models.Model) -> None:
    """Run the model's own rules (clean, fields, constraints) and report them as a domain error."""
    try:
        record.full_clean()
    except ValidationError as error:
        raise ProgrammeError(" ".join(error.messages)) from error


def _same_community(community_id: int, other: Volunteer | Resident | Household) -> None:
    if other.community_id != community_id:
        raise OtherCommunity(_("%(name)s belongs to another community.") % {"name": other})


# --- Training and commendation --------------------------------------------------------------------


@transaction.atomic
def record_attendance(*, session: TrainingSession, volunteer: Volunteer, attended: bool = True) -> Attendance:
    """Mark whether a volunteer of the session's community came; marking again corrects the mark.

    One row per volunteer and session (a unique key), so a roll call taken twice counts once.
    Raises OtherCommunity; nothing is written then.
    """
    session = TrainingSession.objects.select_related("curriculum").get(pk=session.pk)
    _same_community(session.curriculum.community_id, volunteer)
    attendance, _created = Attendance.objects.update_or_create(
        session=session, volunteer=volunteer, defaults={"attended": attended}
    )
    return attendance


@transaction.atomic
def commend(
    *,
    volunteer: Volunteer,
    title: str,
    awarded_by: str,
    by: User,
    awarded_on: date | None = None,
    citation: str = "",
    public: bool = False,
) -> Commendation:
    """Record an award a volunteer received (优秀志愿者 from the street office, say).

    `public` puts it in the public register, which names volunteers only with their consent.
    Raises AlreadyRecorded for the same title on the same day, ProgrammeError otherwise; nothing is
    written then.
    """
    commendation = Commendation(
        community_id=volunteer.community_id,
        volunteer=volunteer,
        title=title.strip(),
        awarded_by=awarded_by.strip(),
        awarded_on=awarded_on or timezone.localdate(),
        citation=citation.strip(),
        public=public,
        recorded_by=by,
    )
    if Commendation.objects.filter(
        volunteer=volunteer, title=commendation.title, awarded_on=commendation.awarded_on
    ).exists():
        raise AlreadyRecorded(
            _("%(name)s was already commended as %(title)s that day.")
            % {"name": volunteer, "title": commendation.title}
        )
    _checked(commendation)
    commendation.save()
    return commendation


# --- Capacity grants ------------------------------------------------------------------------------


def may_pay(user: User, grant: CapacityGrant) -> bool:
    """Staff of the grant's community with the permission to pay grants (centre managers)."""
    return (
        user.is_active
        and user.has_perm(PAY_GRANT)
        and Community.objects.visible_to(user).filter(pk=grant.community_id).exists()
    )


def grant_account_of(grant: CapacityGrant) -> Account:
    """The grant's own account in the book, opened on first use and owned by the grant."""
    return grant_account(grant, name=f"能力建设资助 #{grant.pk} · {grant.purpose}")


@transaction.atomic
def pay_capacity_grant(*, grant: CapacityGrant, from_account: Account, by: User) -> CapacityGrant:
    """Pay an approved grant from the community fund into an account of the grant's own, once.

    Posts `fund +amount, grant account -amount` (funds hold credits: the fund goes down by the
    amount, the grant's account up) with the grant as cause and an idempotency key. Locks the grant:
    two managers paying at once pay it once. Raises NotAllowed, GrantAlreadyPaid,
    NotTheCommunityFund or FundTooSmall; nothing is written then.
    """
    grant = CapacityGrant.objects.select_for_update().select_related("community").get(pk=grant.pk)
    if not may_pay(by, grant):
        raise NotAllowed(_("Only a manager of the grant's community can pay it."))
    if grant.status == CapacityGrant.Status.PAID:
        raise GrantAlreadyPaid(_("This grant was already paid (transaction #%(pk)s).") % {"pk": grant.payment_id})
    # Money raised for the disadvantaged (the Yicang fund) or by shareholders (a lattice fund) is not
    # spent on volunteers' capacity: only the community's own fund pays these grants.
    if from_account.kind != Account.Kind.COMMUNITY_FUND or from_account.community_id != grant.community_id:
        raise NotTheCommunityFund(
            _("Capacity grants are paid from the community fund of %(community)s.") % {"community": grant.community}
        )
    amount = grant.amount_fen
    try:
        payment = post_transaction(
            community=grant.community,
            entries=[Entry(from_account, amount), Entry(grant_account_of(grant), -amount)],
            reason=_("Capacity grant: %(purpose)s") % {"purpose": grant.purpose},
            by=by,
            cause=grant,
            idempotency_key=f"capacity-grant-{grant.pk}",
        )
    except InsufficientBalance as error:
        # Raised inside our transaction, so the grant's account opened above goes with it.
        raise FundTooSmall(
            _("The grant of %(amount)s was not paid: %(why)s")
            % {"amount": format_amount(amount, from_account.unit), "why": error.message}
        ) from error
    grant.payment = payment
    grant.status = CapacityGrant.Status.PAID
    grant.save(update_fields=["payment", "status"])
    return grant


# --- Activities -----------------------------------------------------------------------------------


@transaction.atomic
def add_performer(*, activity: Activity, volunteer: Volunteer) -> Performer:
    """Put a volunteer of the activity's community among its performers; adding twice returns the first."""
    _same_community(activity.community_id, volunteer)
    performer, _created = Performer.objects.get_or_create(activity=activity, volunteer=volunteer)
    return performer


@transaction.atomic
def set_theatre_audience(
    *, activity: Activity, by: User, audience_note: str = "", resident: Resident | None = None
) -> TheatreAudience:
    """Record the one person a One-Audience Theatre played for, replacing whoever was recorded.

    No name is taken: `audience_note` describes them ("独居老人"), and `resident` links them, which
    only users with `view_audience` may do or see. For other users an existing link is kept as it is.
    Locks the theatre, so two staff recording at once leave one audience member. Raises
    WrongActivityKind, NotAllowed, OtherCommunity or AudienceMissing; nothing is written then.
    """
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if not activity.is_theatre:
        raise WrongActivityKind(_("Only a One-Audience Theatre has an audience member recorded."))
    sees_identity = by.is_active and by.has_perm(VIEW_AUDIENCE)
    if resident is not None and not sees_identity:
        raise NotAllowed(_("Only staff allowed to see who the audience was can link a resident."))
    if resident is not None:
        _same_community(activity.community_id, resident)
    audience = TheatreAudience.objects.filter(activity=activity).first() or TheatreAudience(activity=activity)
    if sees_identity:
        audience.resident = resident
    audience.audience_note = audience_note.strip()
    if audience.resident_id is None and not audience.audience_note:
        raise AudienceMissing(
            _("A One-Audience Theatre plays for one person: describe them (without a name) or link the resident.")
        )
    _checked(audience)
    audience.save()
    return audience


@transaction.atomic
def add_rice_child(*, activity: Activity, nickname: str, guardian_name: str) -> RiceChild:
    """Add a child to A Spoon of Rice, by first name or nickname and the guardian who brought them.

    Raises WrongActivityKind, AlreadyRecorded (the nickname is taken in this activity) or
    ProgrammeError; nothing is written then.
    """
    if not activity.is_spoon_of_rice:
        raise WrongActivityKind(_("Children take part in A Spoon of Rice only."))
    child = RiceChild(activity=activity, nickname=nickname.strip(), guardian_name=guardian_name.strip())
    if not child.nickname or not child.guardian_name:
        raise ProgrammeError(_("Give the child's first name or nickname and the guardian's name."))
    if RiceChild.objects.filter(activity=activity, nickname=child.nickname).exists():
        raise AlreadyRecorded(
            _("A child called %(name)s already takes part; give another nickname.") % {"name": child.nickname}
        )
    _checked(child)
    child.save()
    return child


@transaction.atomic
def record_neighbour_visit(
    *,
    child: RiceChild,
    rice_grams: int,
    agreed: bool = True,
    household: Household | None = None,
    door: str = "",
) -> NeighbourVisit:
    """Record a door a child knocked on: the household (or the door, when unregistered) and the rice given.

    A child contacts up to ten neighbours: the eleventh is refused (TenDoorsKnocked), and the
    database's door numbers 1 to 10 refuse it too. Locks the child, so two volunteers recording at once
    cannot both take the tenth door. Raises OtherCommunity, AlreadyRecorded or ProgrammeError as
    well; nothing is written then.
    """
    child = RiceChild.objects.select_for_update().select_related("activity").get(pk=child.pk)
    if type(rice_grams) is not int or rice_grams < 0:
        raise ProgrammeError(_("Give the rice as a whole number of grams."))
    door = door.strip()
    if (household is None) == (not door):
        raise ProgrammeError(_("Name the neighbour's registered household or write their door, not both."))
    if household is not None:
        _same_community(child.activity.community_id, household)
    if (
        NeighbourVisit.objects.filter(child=child, household=household).exists()
        if household is not None
        else NeighbourVisit.objects.filter(child=child, door=door).exists()
    ):
        raise AlreadyRecorded(_("%(child)s already knocked on this door.") % {"child": child.nickname})
    knock = NeighbourVisit.free_knock(child)
    if knock is None:
        raise TenDoorsKnocked(
            _("%(child)s has already contacted %(n)s neighbours.") % {"child": child.nickname, "n": DOORS_PER_CHILD}
        )
    visit = NeighbourVisit(
        activity=child.activity,
        child=child,
        knock=knock,
        household=household,
        door=door,
        agreed=agreed,
        rice_grams=rice_grams,
    )
    _checked(visit)
    visit.save()
    return visit
