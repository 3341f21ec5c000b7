from typing import Any

import factory
from django.utils import timezone

from tests.factories.community import CommunityFactory, ResidentFactory, UserFactory
from volunteers.models import Centre, Group, Membership, TimeDonation, Volunteer
from volunteers.services import confirm_time_donation


class VolunteerFactory(factory.django.DjangoModelFactory):
    """A volunteer; `community=` puts its resident (and household) there too."""

    class Meta:
        model = Volunteer

    class Params:
        # Agreed to be named in the public volunteer register.
        consenting = factory.Trait(public_name_consent=True)

    community = factory.SubFactory(CommunityFactory)
    resident = factory.SubFactory(
        ResidentFactory,
        community=factory.SelfAttribute("..community"),
        household__community=factory.SelfAttribute("...community"),
    )
    status = Volunteer.Status.ACTIVE
    since = factory.LazyFunction(timezone.localdate)
    # One who left has the day (a database rule): by default the day they began, so no month counts them.
    left_on = factory.LazyAttribute(lambda v: v.since if v.status == Volunteer.Status.LEFT else None)


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    class Params:
        interest = factory.Trait(kind=Group.Kind.INTEREST)

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"志愿队{n}")
    kind = Group.Kind.VOLUNTEER


class MembershipFactory(factory.django.DjangoModelFactory):
    """A resident in a group; the resident lives in the group's community."""

    class Meta:
        model = Membership

    group = factory.SubFactory(GroupFactory)
    resident = factory.SubFactory(
        ResidentFactory,
        community=factory.SelfAttribute("..group.community"),
        household__community=factory.SelfAttribute("...group.community"),
    )


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Centre

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"第{n}邻里互助中心")


class TimeDonationFactory(factory.django.DjangoModelFactory):
    """Hours a volunteer gave, pending; `confirmed=True` confirms them through the real service, which
    credits the household's time account (a confirmed donation without its credit cannot exist)."""

    class Meta:
        model = TimeDonation
        skip_postgeneration_save = True

    volunteer = factory.SubFactory(VolunteerFactory)
    community = factory.SelfAttribute("volunteer.community")
    minutes = 60
    kind = TimeDonation.Kind.DELIVERY
    given_on = factory.LazyFunction(timezone.localdate)
    description = "入户送米面油"
    recorded_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def confirmed(donation: TimeDonation, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            confirm_time_donation(donation=donation, by=UserFactory(is_superuser=True))
            donation.refresh_from_db()
