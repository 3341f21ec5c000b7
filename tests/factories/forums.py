"""Factories of the forums; the states they build are those the services would leave."""

from datetime import datetime, time, timedelta

import factory
from django.utils import timezone

from forums.models import Action, Forum, HelpRequest, Issue, IssueChange, Support
from tests.factories.community import CommunityFactory, ResidentFactory


def days_from_now(days: int, hour: int = 19) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


class ForumFactory(factory.django.DjangoModelFactory):
    """A planned forum a week ahead; `called=True` announced, `held=True` a month ago with 30 residents."""

    class Meta:
        model = Forum

    class Params:
        called = factory.Trait(state=Forum.State.CALLED, called_at=factory.LazyFunction(timezone.now))
        held = factory.Trait(
            state=Forum.State.HELD,
            held_at=factory.LazyFunction(lambda: days_from_now(-30)),
            called_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=40)),
            attendance=30,
            minutes="到场30人。",
        )

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"你好邻居{n}")
    held_at = factory.LazyFunction(lambda: days_from_now(7))
    place = "社区活动室"
    agenda = "议题讨论"
    rules = "轮流发言。"


class IssueFactory(factory.django.DjangoModelFactory):
    """An issue raised online by a resident of the forum's community; `common=True` marked at a held forum."""

    class Meta:
        model = Issue
        skip_postgeneration_save = True

    class Params:
        common = factory.Trait(
            state=Issue.State.COMMON,
            forum=factory.SubFactory(ForumFactory, held=True, community=factory.SelfAttribute("..community")),
        )

    community = factory.SubFactory(CommunityFactory)
    forum = None
    kind = Issue.Kind.COMPLAINT
    title = factory.Sequence(lambda n: f"议题{n}")
    text = "楼道灯坏了。"
    raised_by = factory.SubFactory(
        ResidentFactory,
        community=factory.SelfAttribute("..community"),
        household__community=factory.SelfAttribute("...community"),
    )

    @factory.post_generation
    def history(self, create: bool, extracted: object, **kwargs: object) -> None:
        if not create:
            return
        IssueChange.objects.create(community=self.community, issue=self, to_state=Issue.State.RAISED)
        if self.state != Issue.State.RAISED:
            IssueChange.objects.create(
                community=self.community, issue=self, from_state=Issue.State.RAISED, to_state=Issue.State.COMMON
            )
            Action.objects.create(community=self.community, issue=self)


class SupportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Support

    issue = factory.SubFactory(IssueFactory)
    community = factory.SelfAttribute("issue.community")
    resident = factory.SubFactory(
        ResidentFactory,
        community=factory.SelfAttribute("..community"),
        household__community=factory.SelfAttribute("...community"),
    )


class HelpRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HelpRequest

    community = factory.SubFactory(CommunityFactory)
    resident = factory.SubFactory(
        ResidentFactory,
        community=factory.SelfAttribute("..community"),
        household__community=factory.SelfAttribute("...community"),
    )
    title = factory.Sequence(lambda n: f"求助{n}")
    text = "需要帮忙搬东西。"
