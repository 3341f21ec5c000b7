import uuid
from typing import Any

import factory

from markets.models import Cooperative, LatticeFund, LatticeShop, Market, MarketActivity, RevivalProject, Stall
from markets.services.lattices import open_lattice_fund
from tests.factories.community import CommunityFactory, ResidentFactory


def new_key() -> str:
    return uuid.uuid4().hex


class MarketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Market

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"第{n}次义集")
    place = "社区广场"


class StallFactory(factory.django.DjangoModelFactory):
    """A stall with a resident of the market's community selling; `seller=None` for the centre's stall."""

    class Meta:
        model = Stall

    market = factory.SubFactory(MarketFactory)
    community = factory.SelfAttribute("market.community")
    number = factory.Sequence(lambda n: n + 1)
    seller = factory.SubFactory(
        ResidentFactory,
        community=factory.SelfAttribute("..market.community"),
        household__community=factory.SelfAttribute("...market.community"),
    )
    description = "旧书"


class MarketActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketActivity

    market = factory.SubFactory(MarketFactory)
    community = factory.SelfAttribute("market.community")
    kind = MarketActivity.Kind.CLINIC
    title = "义诊"
    host = "社区卫生服务中心"


class LatticeFundFactory(factory.django.DjangoModelFactory):
    """A lattice fund opened through the service, with its account in the ledger."""

    class Meta:
        model = LatticeFund

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"义坊基金{n}")

    @classmethod
    def _create(cls, model_class: type[LatticeFund], *args: Any, **kwargs: Any) -> LatticeFund:
        return open_lattice_fund(community=kwargs["community"], name=kwargs["name"], purpose=kwargs.get("purpose", ""))


class CooperativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cooperative

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"合作社{n}")


class LatticeShopFactory(factory.django.DjangoModelFactory):
    """A shop of a fund run by a resident of the fund's community."""

    class Meta:
        model = LatticeShop

    fund = factory.SubFactory(LatticeFundFactory)
    community = factory.SelfAttribute("fund.community")
    name = factory.Sequence(lambda n: f"义坊{n}号铺")
    place = "水井街口"
    sells = "修鞋"
    operator = factory.SubFactory(
        ResidentFactory,
        community=factory.SelfAttribute("..fund.community"),
        household__community=factory.SelfAttribute("...fund.community"),
    )


class RevivalProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RevivalProject

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"闲置资产项目{n}")
    asset = "闲置的自行车棚"
    place = "水井街38号院"
    budget_fen = 200_000
