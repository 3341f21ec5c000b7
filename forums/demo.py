"""Demo forums: in 水井坊, a held forum with one common issue resolved with a small grant and one still in
progress, so the next forum cannot be called yet; in 交子, every common issue ended and the next forum
called. Some help requests on both boards."""

from contextlib import suppress
from datetime import timedelta

from django.utils import timezone

from forums.exceptions import PreviousIssuesUnresolved
from forums.models import Forum
from forums.services.board import ask_for_help, offer_help
from forums.services.forums import call_forum, hold_forum, plan_forum
from forums.services.grants import community_fund_of, pay_grant
from forums.services.issues import (
    close_not_possible,
    mark_common,
    raise_issue,
    record_progress,
    resolve_issue,
    support_issue,
)
from volunteers.models import Volunteer
from yicang.community.models import Community, Resident, User

ISSUES = [
    ("complaint", "楼道灯坏了三个月", "3栋2单元楼道灯一直不亮，老人晚上上下楼很危险。"),
    ("wish", "想要一个共享菜园", "小区背后的空地一直闲置，希望大家一起种菜，孩子们也能学习。"),
    ("concern", "电动车在楼道充电", "好几户把电动车推进楼道充电，担心起火。"),
    ("suggestion", "办一个旧物交换角", "很多旧书和玩具还能用，可以在活动室放一个交换架。"),
]
HELP = [
    ("需要有人帮忙搬一台洗衣机", "下周六上午，从一楼搬到四楼，没有电梯。"),
    ("想找人教我用手机挂号", "儿女在外地，不会在手机上预约社区医院。"),
]


def seed_forums(communities: list[Community], clerk: User) -> None:
    """A held forum and the next one per community, and a help board; skipped where there are forums already."""
    for index, community in enumerate(communities):
        residents = list(Resident.objects.filter(community=community).order_by("pk")[:8])
        if Forum.objects.filter(community=community).exists() or len(residents) < 8:
            continue
        _seed(community, clerk, residents, keep_one_open=index == 0)


def _in_the_past(forum: Forum, days: int) -> None:
    # The demo's history happened before today; the services accept only times to come, as staff would.
    Forum.objects.filter(pk=forum.pk).update(held_at=timezone.now() - timedelta(days=days))
    forum.refresh_from_db()


def _seed(community: Community, clerk: User, residents: list[Resident], *, keep_one_open: bool) -> None:
    now = timezone.now()
    first = plan_forum(
        community=community,
        title="你好邻居 · 春季居民议事会",
        held_at=now + timedelta(days=1),
        place="社区活动室",
        agenda="1. 回顾上次议题\n2. 居民提出议题\n3. 投票确定共同议题",
        by=clerk,
    )
    call_forum(forum=first, by=clerk)
    issues = [
        raise_issue(resident=residents[i], kind=kind, title=title, text=text)
        for i, (kind, title, text) in enumerate(ISSUES)
    ]
    for issue in issues[:2]:
        for supporter in residents[4:8]:
            support_issue(issue=issue, resident=supporter)
    _in_the_past(first, 40)
    hold_forum(forum=first, attendance=46, minutes="到场居民46人，投票确定两个共同议题。", by=clerk)
    lights = mark_common(
        issue=issues[0], forum=first, by=clerk, plan="居民自己买灯、自己装，物业配合。", leads=residents[:2]
    )
    garden = mark_common(issue=issues[1], forum=first, by=clerk, plan="一起设计菜园，轮流管理。", leads=residents[1:3])
    record_progress(action=lights, step="planning", text="三位居民统计了坏灯的位置和数量。", by=clerk)
    if community_fund_of(community.pk) is not None:
        pay_grant(action=lights, amount_fen=80_000, purpose="购买楼道感应灯", by=clerk)
    record_progress(action=lights, step="building", text="周末居民志愿者装好了十二盏感应灯。", by=clerk)
    resolve_issue(issue=lights.issue, result="十二盏感应灯全部装好，由楼栋长每月检查。", by=clerk)
    record_progress(action=garden, step="planning", text="画好了菜园的设计图，分成十块。", by=clerk)
    if not keep_one_open:
        close_not_possible(issue=garden.issue, reason="空地属于规划用地，街道不同意改作菜园。", by=clerk)
    upcoming = plan_forum(
        community=community,
        title="你好邻居 · 夏季居民议事会",
        held_at=now + timedelta(days=14),
        place="社区活动室",
        agenda="1. 共同议题进展\n2. 新议题",
        by=clerk,
    )
    # Refused in 水井坊, as it should be: its garden is still in progress, so the summer forum waits.
    with suppress(PreviousIssuesUnresolved):
        call_forum(forum=upcoming, by=clerk)
    for resident, (title, text) in zip(residents[5:7], HELP, strict=True):
        request = ask_for_help(resident=resident, title=title, text=text)
        volunteer = Volunteer.objects.filter(community=community, status="active").exclude(resident=resident).first()
        if volunteer is not None:
            offer_help(help_request=request, volunteer=volunteer, message="我周末有空，可以帮忙。")
