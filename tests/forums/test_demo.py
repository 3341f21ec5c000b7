"""The forums' demo data: a held forum with a resolved grant-funded issue, the rule shown both ways, a help board."""

from io import StringIO

import pytest
from django.core.management import call_command

from forums.models import Forum, Grant, HelpOffer, HelpRequest, Issue
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def _seed() -> None:
    call_command("seed_demo", "--households", "8", stdout=StringIO())


def test_seed_demo_shows_the_rule_both_ways_and_is_safe_to_run_again() -> None:
    _seed()
    counts = (Forum.objects.count(), Issue.objects.count(), Grant.objects.count(), HelpRequest.objects.count())
    _seed()

    states = sorted(Forum.objects.values_list("community__code", "title", "state"))
    assert states == [
        ("jiaozi", "你好邻居 · 夏季居民议事会", "called"),
        ("jiaozi", "你好邻居 · 春季居民议事会", "held"),
        ("shuijingfang", "你好邻居 · 夏季居民议事会", "planned"),
        ("shuijingfang", "你好邻居 · 春季居民议事会", "held"),
    ]
    assert sorted(Issue.objects.filter(community__code="shuijingfang").values_list("title", "state")) == sorted(
        [
            ("楼道灯坏了三个月", "resolved"),
            ("想要一个共享菜园", "common"),
            ("电动车在楼道充电", "raised"),
            ("办一个旧物交换角", "raised"),
        ]
    )
    assert sorted(Grant.objects.values_list("community__code", "amount_fen")) == [
        ("jiaozi", 80_000),
        ("shuijingfang", 80_000),
    ]
    helped = Volunteer.objects.filter(status="active").values("community").distinct().count()
    assert HelpRequest.objects.count() == 4
    assert HelpOffer.objects.count() == 2 * helped
    assert counts == (Forum.objects.count(), Issue.objects.count(), Grant.objects.count(), HelpRequest.objects.count())
