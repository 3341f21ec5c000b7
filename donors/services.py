from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from donors.exceptions import InvalidCompassionFamily
from donors.models import CompassionFamily
from yicang.community.models import Community, Household, User


@transaction.atomic
def register_compassion_family(
    *,
    household: Household,
    by: User,
    recruited_by: CompassionFamily | None = None,
    opinion_leader: bool = False,
    joined_on: date | None = None,
    public_name: str = "",
    public_name_consent: bool = False,
) -> CompassionFamily:
    """Record a household as a compassion family of its community, recruited by `recruited_by` if given.

    Raises InvalidCompassionFamily (a recruiter of another community, a household already
    registered, consent without a public name); nothing is written then.
    """
    family = CompassionFamily(
        community_id=household.community_id,
        household=household,
        recruited_by=recruited_by,
        opinion_leader=opinion_leader,
        joined_on=joined_on or timezone.localdate(),
        public_name=public_name.strip(),
        public_name_consent=public_name_consent,
    )
    return save_compassion_family(family=family, by=by)


@transaction.atomic
def set_recruiter(*, family: CompassionFamily, recruiter: CompassionFamily | None) -> CompassionFamily:
    """Record (or, with None, clear) who recruited `family`; returns the family as saved.

    Raises InvalidCompassionFamily for a recruiter of another community, the family itself, or one
    the family already recruited, directly or through others (the tree would loop); nothing is
    written then, and `family` is left as it was.
    """
    _lock_tree(family.community_id)
    fresh = CompassionFamily.objects.select_related("household").get(pk=family.pk)
    fresh.recruited_by = recruiter
    _validate(fresh)
    fresh.save(update_fields=["recruited_by"])
    return fresh


@transaction.atomic
def save_compassion_family(*, family: CompassionFamily, by: User) -> CompassionFamily:
    """Save a new or changed compassion family after checking every rule of the tree under its lock.

    The admin saves through here. Dates a change of consent. Raises InvalidCompassionFamily;
    nothing is written then.
    """
    _lock_tree(family.community_id)
    was_consenting = (
        CompassionFamily.objects.filter(pk=family.pk).values_list("public_name_consent", flat=True).first()
        if family.pk is not None
        else False
    )
    if family.public_name_consent != was_consenting or (family.public_name_consent and not family.consent_recorded_at):
        family.consent_recorded_at = timezone.now()
    if family.pk is None and family.registered_by is None:
        family.registered_by = by
    _validate(family)
    family.save()
    return family


def _lock_tree(community_id: int) -> None:
    # Two concurrent changes could each pass the loop check alone and close a loop together
    # (A under B here, B under A there). Taking the community's row lock first makes changes to
    # one community's tree take turns. NO KEY UPDATE, because a plain FOR UPDATE would also hold up
    # every insert of a row pointing at the community (households, postings) until we commit.
    Community.objects.select_for_update(no_key=True).filter(pk=community_id).values_list("pk").get()


def _validate(family: CompassionFamily) -> None:
    try:
        family.full_clean()
    except ValidationError as error:
        raise InvalidCompassionFamily(error) from error
