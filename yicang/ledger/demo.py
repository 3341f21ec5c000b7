"""The book's demo data: each demo community's accounts and two months of money and time."""

from datetime import timedelta

from django.utils import timezone

from yicang.community.models import Community, Household, User
from yicang.ledger.models import Account, Transaction
from yicang.ledger.services import Entry, post_transaction, reverse_transaction


def seed_ledger(communities: list[Community], clerk: User) -> None:
    """Accounts and postings for each community; skipped where the community already has accounts."""
    for community in communities:
        if not Account.objects.filter(community=community).exists():
            _seed(community, clerk)


def _seed(community: Community, clerk: User) -> None:
    def account(kind: str, name: str, household: Household | None = None) -> Account:
        return Account.objects.create(community=community, kind=kind, name=name, household=household)

    cash = account(Account.Kind.CASH, "现金")
    community_fund = account(Account.Kind.COMMUNITY_FUND, "社区基金")
    yicang_fund = account(Account.Kind.YICANG_FUND, "义仓基金")
    pool = account(Account.Kind.TIME_POOL, "社区时间池")
    households = list(Household.objects.filter(community=community).order_by("pk")[:4])
    times = [account(Account.Kind.TIME, f"{h.name}时间账户", household=h) for h in households]
    now = timezone.now()

    def post(days_ago: int, reason: str, *entries: tuple[Account, int]) -> Transaction:
        return post_transaction(
            community=community,
            entries=[Entry(a, amount) for a, amount in entries],
            reason=reason,
            by=clerk,
            posted_at=now - timedelta(days=days_ago),
        )

    post(58, "义集义卖收入", (cash, 128_650), (yicang_fund, -128_650))
    post(50, "爱心企业捐款", (cash, 500_000), (community_fund, -500_000))
    post(41, "为独居老人采购米面油", (yicang_fund, 86_000), (cash, -86_000))
    mistake = post(33, "义集义卖收入（重复登记）", (cash, 20_000), (yicang_fund, -20_000))
    reverse_transaction(original=mistake, by=clerk, reason="重复登记，冲正")
    if len(times) >= 3:
        post(30, "入户送物资", (times[0], 120), (pool, -120))
        post(21, "一人剧场演出", (times[1], 90), (times[2], 60), (pool, -150))
        post(9, "理发服务（时间兑换）", (times[0], -45), (times[1], 45))
    post(3, "义集义卖收入", (cash, 96_420), (yicang_fund, -96_420))
