"""Demo volunteers: a centre, overlapping groups, and a month of hours given and confirmed."""

from datetime import timedelta

from django.utils import timezone

from volunteers.models import Centre, Group, Volunteer
from volunteers.services import confirm_time_donation, join_group, record_time_donation, register_volunteer
from yicang.community.models import Community, Resident, User

GROUPS = [
    ("送物资志愿队", Group.Kind.VOLUNTEER, False),
    ("一人剧场", Group.Kind.VOLUNTEER, False),
    ("夜跑队", Group.Kind.INTEREST, True),
    ("亲子阅读", Group.Kind.INTEREST, True),
    ("糖友互助小组", Group.Kind.INTEREST, True),
]


def seed_volunteers(communities: list[Community], clerk: User) -> None:
    """Ten volunteers per community in five overlapping groups; skipped where there are volunteers already."""
    for community in communities:
        if not Volunteer.objects.filter(community=community).exists():
            _seed(community, clerk)


def _seed(community: Community, clerk: User) -> None:
    residents = list(Resident.objects.filter(community=community, household__isnull=False).order_by("pk")[:24])
    if len(residents) < 24:
        return
    volunteers = [
        register_volunteer(resident=r, skills=skill)
        for r, skill in zip(residents[:10], ["理发", "陪诊", "电脑维修", "", "做饭"] * 2, strict=True)
    ]
    centre = Centre.objects.create(
        community=community, name=f"{community.name}邻里互助中心", lead=volunteers[0], lead_user=clerk
    )
    centre.members.set(volunteers[:6])
    groups = [Group.objects.create(community=community, name=n, kind=k, open_to_join=o) for n, k, o in GROUPS]
    # Each resident in one group, a few in two or three: those are the bridges of the network.
    for index, resident in enumerate(residents):
        join_group(group=groups[index % len(groups)], resident=resident)
    for resident, extra in [(residents[0], [2, 3]), (residents[6], [4]), (residents[12], [1, 2]), (residents[17], [0])]:
        for group_index in extra:
            join_group(group=groups[group_index], resident=resident)
    today = timezone.localdate()
    for day, volunteer, minutes in [(25, 0, 120), (18, 1, 90), (11, 2, 60), (4, 3, 150), (2, 4, 45)]:
        donation = record_time_donation(
            volunteer=volunteers[volunteer],
            minutes=minutes,
            kind="delivery",
            description="入户送米面油",
            by=clerk,
            given_on=today - timedelta(days=day),
            group=groups[0],
            centre=centre,
        )
        confirm_time_donation(donation=donation, by=clerk)
    record_time_donation(
        volunteer=volunteers[5], minutes=60, kind="stop", description="义仓站值班", by=clerk, centre=centre
    )
