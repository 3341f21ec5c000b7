"""Demo offers on each community's service market, in the coming days."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from volunteers.market.models import Offer
from volunteers.market.services import publish_offer
from volunteers.models import Volunteer
from yicang.community.models import Community, User

OFFERS = [
    ("义剪：为老人理发", "邻里互助中心活动室", 2, 9, 2, 6, 30),
    ("陪同就医", "社区卫生服务中心门口集合", 3, 8, 3, 2, 120),
    ("电脑和手机使用辅导", "社区图书角", 4, 14, 2, 8, 60),
]


def seed_offers(communities: list[Community], clerk: User) -> None:
    """Three offers per community by its first volunteers; skipped where the market has offers already."""
    for community in communities:
        volunteers = list(Volunteer.objects.filter(community=community).order_by("pk")[: len(OFFERS)])
        if Offer.objects.filter(community=community).exists() or len(volunteers) < len(OFFERS):
            continue
        today = timezone.localdate()
        for volunteer, (title, where, days, hour, hours, places, minutes) in zip(volunteers, OFFERS, strict=True):
            starts = datetime.combine(today + timedelta(days=days), time(hour), tzinfo=timezone.get_current_timezone())
            publish_offer(
                volunteer=volunteer,
                title=title,
                where=where,
                starts_at=starts,
                ends_at=starts + timedelta(hours=hours),
                capacity=places,
                minutes=minutes,
                by=clerk,
            )
