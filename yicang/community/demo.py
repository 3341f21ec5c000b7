"""Demo data: the Shuijingfang street of Chengdu, where Yicang began in 2011.

Deterministic (a fixed random seed), so that every `make run` builds the same neighbourhood. Apps
above this one add their own demo data with `register()` from their AppConfig.ready(); each seeder
gets the demo communities and the national staff account to record things by, and must be safe to
run again.
"""

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from yicang.community.models import Community, Household, Resident, StaffMembership, User
from yicang.community.services import add_staff_member, sync_role_groups

PLACE = {"province": "四川省", "city": "成都市", "district": "锦江区", "street": "水井坊街道"}
COMMUNITIES = [("shuijingfang", "水井坊社区"), ("jiaozi", "交子社区")]
LANES = {
    "shuijingfang": ["水井街", "金江街", "黄伞巷", "双槐树街", "大安东路"],
    "jiaozi": ["交子街", "东门街", "油篓街", "星桥街", "安顺桥街"],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "建国 秀英 桂兰 志强 淑珍 文华 玉梅 德明 小燕 子涵 浩然 欣怡 国平 凤英 海涛 晓东 雨桐 宇轩 丽华 春林".split()  # noqa: SIM905


Seeder = Callable[[list[Community], User], None]
SEEDERS: list[Seeder] = []


def register(seeder: Seeder) -> None:
    if seeder not in SEEDERS:
        SEEDERS.append(seeder)


@dataclass
class Account:
    username: str
    password: str | None  # None when the account already existed: its password is not ours to show
    description: str


@transaction.atomic
def seed_demo(households_per_community: int = 40) -> list[Account]:
    """Build (or complete) the demo neighbourhood and its staff accounts; safe to run again."""
    sync_role_groups()
    rng = random.Random(2011)
    communities = [
        Community.objects.get_or_create(code=code, defaults={"name": name, **PLACE})[0] for code, name in COMMUNITIES
    ]
    for community in communities:
        _seed_households(community, rng, households_per_community)
    shuijingfang, jiaozi = communities
    accounts = [
        _account("national", "全国工作人员 (national staff, superuser)", national=True),
        _account("shuijingfang", "水井坊社区 centre manager", community=shuijingfang),
        _account("jiaozi", "交子社区 centre manager", community=jiaozi),
    ]
    national = User.objects.get(username="national")
    for seeder in SEEDERS:
        seeder(communities, national)
    return accounts


def _seed_households(community: Community, rng: random.Random, count: int) -> None:
    existing = Household.objects.filter(community=community).count()
    lanes = LANES[community.code]
    for number in range(existing, count):
        surname = SURNAMES[number % len(SURNAMES)]
        lane = lanes[number % len(lanes)]
        address = f"{lane}{rng.randint(1, 80)}号{rng.randint(1, 4)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
        # Named after the head of the household, as neighbours do: a street has many 王家.
        head = surname + rng.choice(GIVEN)
        household = Household.objects.create(community=community, name=f"{head}家", address=address)
        for index in range(rng.choice([1, 1, 2, 2, 3, 4])):
            Resident.objects.create(
                community=community,
                household=household,
                name=head if index == 0 else surname + rng.choice(GIVEN),
                gender=rng.choice([Resident.Gender.FEMALE, Resident.Gender.MALE]),
                birth_year=rng.randint(1936, 2020),
            )


def _account(username: str, description: str, *, national: bool = False, community: Community | None = None) -> Account:
    user, created = User.objects.get_or_create(
        username=username, defaults={"is_staff": True, "is_national": national, "is_superuser": national}
    )
    password = None
    if created:
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        user.save(update_fields=["password"])
    if community is not None:
        add_staff_member(user=user, community=community, role=StaffMembership.Role.MANAGER)
    return Account(username=username, password=password, description=description)
