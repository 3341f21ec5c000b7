"""Factories for volunteers' training, commendations, capacity grants and activities."""

from datetime import date

import factory

from tests.factories.community import CommunityFactory, UserFactory
from tests.factories.volunteers import CentreFactory, GroupFactory, VolunteerFactory
from volunteers.programme.models import Activity, CapacityGrant, Commendation, Curriculum, TrainingSession


class CurriculumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Curriculum

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"志愿者能力建设课程{n}")
    hours_planned = 8


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession

    curriculum = factory.SubFactory(CurriculumFactory)
    held_on = date(2026, 10, 10)
    place = "水井坊社区活动室"
    trainer = "刘老师"


class CommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commendation

    volunteer = factory.SubFactory(VolunteerFactory)
    community = factory.SelfAttribute("volunteer.community")
    title = "优秀志愿者"
    awarded_on = date(2026, 10, 1)
    awarded_by = "水井坊街道办事处"
    recorded_by = factory.SubFactory(UserFactory)


class CapacityGrantFactory(factory.django.DjangoModelFactory):
    """An approved grant to a volunteer group; `to_centre=True` gives it to a centre instead."""

    class Meta:
        model = CapacityGrant

    class Params:
        to_centre = factory.Trait(
            group=None, centre=factory.SubFactory(CentreFactory, community=factory.SelfAttribute("..community"))
        )

    community = factory.SubFactory(CommunityFactory)
    group = factory.SubFactory(GroupFactory, community=factory.SelfAttribute("..community"))
    centre = None
    purpose = "购买急救培训器材"
    amount_fen = 100_000


class ActivityFactory(factory.django.DjangoModelFactory):
    """An art and culture event; `theatre=True` or `rice=True` for the programme's own two activities."""

    class Meta:
        model = Activity

    class Params:
        theatre = factory.Trait(kind=Activity.Kind.THEATRE, title=factory.Sequence(lambda n: f"一人剧场{n}"))
        rice = factory.Trait(kind=Activity.Kind.SPOON_OF_RICE, title=factory.Sequence(lambda n: f"一勺米{n}"))

    community = factory.SubFactory(CommunityFactory)
    kind = Activity.Kind.CULTURE
    title = factory.Sequence(lambda n: f"社区艺术节{n}")
    held_on = date(2026, 10, 15)
    place = "水井坊社区广场"
