"""Demo markets and lattices: a held market with its sales and a free clinic, an open one, a lattice
fund with shareholders, two shops with a grant and a revenue report, an idle-asset project."""

from datetime import timedelta

from django.utils import timezone

from donors.models import AssistantEnterprise
from markets.models import Cooperative, CooperativeMember, LatticeShop, Market, MarketActivity, RevivalProject, Stall
from markets.services.lattices import open_lattice_fund, subscribe
from markets.services.markets import close_market, record_sale
from markets.services.projects import spend_on_project
from markets.services.shops import grant_to_shop
from stores.models import Item
from yicang.community.models import Community, Resident, User
from yicang.core.months import add_months, this_month
from yicang.ledger.models import Account


def seed_markets(communities: list[Community], clerk: User) -> None:
    """Markets and lattices for each community; skipped where the community has a market already."""
    for community in communities:
        residents = list(Resident.objects.filter(community=community, household__isnull=False).order_by("pk")[:6])
        if len(residents) == 6 and not Market.objects.filter(community=community).exists():
            _seed(community, clerk, residents)


def _seed(community: Community, clerk: User, residents: list[Resident]) -> None:
    now = timezone.now()
    key = f"demo-{community.code}"

    held = Market.objects.create(
        community=community, title=f"{community.name}义集", held_on=(now - timedelta(days=20)).date(), place="社区广场"
    )
    stalls = [
        Stall.objects.create(community=community, market=held, number=1, seller=residents[0], description="旧书"),
        Stall.objects.create(community=community, market=held, number=2, seller=residents[1], description="儿童衣物"),
        Stall.objects.create(community=community, market=held, number=3, description="义仓物资"),
    ]
    MarketActivity.objects.create(
        community=community, market=held, kind=MarketActivity.Kind.CLINIC, title="义诊", host="锦江区社区卫生服务中心"
    )
    MarketActivity.objects.create(
        community=community, market=held, kind=MarketActivity.Kind.PERFORMANCE, title="川剧变脸", host="水井坊川剧社"
    )
    when = now - timedelta(days=20)
    for number, (stall, what, price) in enumerate(
        [(0, "《红岩》等旧书五本", 2_500), (0, "连环画一套", 4_000), (1, "童装三件", 3_000), (1, "儿童自行车", 12_000)]
    ):
        record_sale(
            market=held,
            stall=stalls[stall],
            what=what,
            price_fen=price,
            by=clerk,
            idempotency_key=f"{key}-sale-{number}",
            at=when,
        )
    item = Item.objects.filter(community=community, status=Item.Status.IN_STOCK).order_by("pk").first()
    if item is not None:
        record_sale(
            market=held,
            stall=stalls[2],
            what=str(item.category),
            price_fen=1_500,
            by=clerk,
            idempotency_key=f"{key}-sale-item",
            item=item,
            at=when,
        )
    close_market(market=held, by=clerk)
    upcoming = Market.objects.create(community=community, title=f"{community.name}本月义集", place="社区广场")
    Stall.objects.create(community=community, market=upcoming, number=1, seller=residents[2], description="手工艺品")

    fund = open_lattice_fund(
        community=community, name=f"{community.name}义坊基金", purpose="在街边公共空间建小商铺，由困难居民经营。"
    )
    enterprise = AssistantEnterprise.objects.filter(community=community).order_by("pk").first()
    if enterprise is not None:
        subscribe(
            fund=fund,
            amount_fen=500_000,
            enterprise=enterprise,
            public_consent=True,
            by=clerk,
            idempotency_key=f"{key}-share-e",
            at=now - timedelta(days=50),
        )
    subscribe(
        fund=fund,
        amount_fen=100_000,
        person_name=residents[3].name,
        resident=residents[3],
        public_consent=True,
        by=clerk,
        idempotency_key=f"{key}-share-1",
        at=now - timedelta(days=45),
    )
    subscribe(
        fund=fund,
        amount_fen=200_000,
        person_name="张女士",
        by=clerk,
        idempotency_key=f"{key}-share-2",
        at=now - timedelta(days=12),
    )
    cooperative = Cooperative.objects.create(community=community, name="邻里修补合作社")
    for resident in residents[4:6]:
        CooperativeMember.objects.create(cooperative=cooperative, resident=resident)
    repair = LatticeShop.objects.create(
        community=community,
        fund=fund,
        name="义坊·修补铺",
        place="水井街口",
        sells="修鞋、改衣、配钥匙",
        cooperative=cooperative,
    )
    LatticeShop.objects.create(
        community=community,
        fund=fund,
        name="义坊·早点铺",
        place="金江街12号旁",
        sells="豆浆、包子",
        operator=residents[5],
    )
    grant_to_shop(
        shop=repair,
        amount_fen=300_000,
        purpose="货架与招牌",
        by=clerk,
        idempotency_key=f"{key}-grant-1",
        at=now - timedelta(days=10),
    )
    repair.revenue_reports.create(
        community=community, month=add_months(this_month(), -1), revenue_fen=268_000, note="开业首月"
    )

    project = RevivalProject.objects.create(
        community=community,
        title="自行车棚变邻里书屋",
        asset="闲置的自行车棚",
        place="水井街38号院",
        budget_fen=200_000,
    )
    if Account.objects.filter(community=community, kind=Account.Kind.COMMUNITY_FUND, balance__lte=-80_000).exists():
        spend_on_project(
            project=project,
            amount_fen=80_000,
            what="书架两个",
            by=clerk,
            idempotency_key=f"{key}-spend-1",
            at=now - timedelta(days=5),
        )
