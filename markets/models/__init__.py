from markets.models.base import SHARE_FEN, MoneyEntry
from markets.models.funds import ProjectSpending, RevivalProject
from markets.models.lattices import (
    Cooperative,
    CooperativeMember,
    LatticeFund,
    LatticeShop,
    ShopGrant,
    ShopRevenueReport,
    Subscription,
)
from markets.models.markets import Market, MarketActivity, Sale, Stall

__all__ = [
    "SHARE_FEN",
    "Cooperative",
    "CooperativeMember",
    "LatticeFund",
    "LatticeShop",
    "Market",
    "MarketActivity",
    "MoneyEntry",
    "ProjectSpending",
    "RevivalProject",
    "Sale",
    "ShopGrant",
    "ShopRevenueReport",
    "Stall",
    "Subscription",
]
