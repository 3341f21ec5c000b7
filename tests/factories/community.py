import factory

from yicang.community.models import Community, Household, Resident, StaffMembership, User
from yicang.community.services import add_staff_member

PASSWORD = "a-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)

    class Params:
        national = factory.Trait(is_staff=True, is_national=True)


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    province = "四川省"
    city = "成都市"
    district = "锦江区"
    street = "水井坊街道"
    name = factory.Sequence(lambda n: f"第{n}社区")
    code = factory.Sequence(lambda n: f"community-{n}")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"王{n}家")
    address = factory.Sequence(lambda n: f"水井街{n}号")


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    household = factory.SubFactory(HouseholdFactory)
    community = factory.SelfAttribute("household.community")
    name = factory.Sequence(lambda n: f"王居民{n}")
    birth_year = 1950


def staff_of(community: Community, role: str = StaffMembership.Role.MANAGER, **fields: object) -> User:
    """A staff user of `community`, with the permissions of `role` (through the real service)."""
    user = UserFactory(**fields)
    add_staff_member(user=user, community=community, role=role)
    user.refresh_from_db()
    return user
