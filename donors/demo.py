"""Demo compassion families: two opinion leaders per community and the neighbours they brought along."""

from donors.models import CompassionFamily
from donors.services import register_compassion_family
from yicang.community.models import Community, Household, User


def seed_donors(communities: list[Community], clerk: User) -> None:
    """A snowball of about a dozen families per community; skipped where the community already has some."""
    for community in communities:
        if CompassionFamily.objects.filter(community=community).exists():
            continue
        households = list(Household.objects.filter(community=community).order_by("pk")[:13])
        if len(households) < 13:
            continue
        leaders = [
            register_compassion_family(
                household=h, by=clerk, opinion_leader=True, public_name=h.name, public_name_consent=True
            )
            for h in households[:2]
        ]
        second = [
            register_compassion_family(household=h, by=clerk, recruited_by=leaders[i % 2])
            for i, h in enumerate(households[2:7])
        ]
        for i, household in enumerate(households[7:13]):
            register_compassion_family(household=household, by=clerk, recruited_by=second[i % len(second)])
