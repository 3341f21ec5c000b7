"""Charitable markets and charitable lattice shops with their funds."""

# Admin pages here extend yicang.community.admin.CommunityScopedAdmin, so tenancy holds.
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketsConfig(AppConfig):
    name = "markets"
    verbose_name = _("Markets and lattices")

    def ready(self) -> None:
        from markets.demo import seed_markets
        from yicang.community import demo
        from yicang.community.roles import Role, grant

        demo.register(seed_markets)
        watch_public_answers(self)

        records = ["market", "stall", "marketactivity", "shoprevenuereport"]
        # Money entries are recorded once and corrected in the ledger, never edited.
        entries = ["sale"]
        for role in (Role.MANAGER, Role.STAFF):
            grant(role, *[f"markets.{action}_{m}" for m in records for action in ("view", "add", "change")])
            grant(role, *[f"markets.{action}_{m}" for m in entries for action in ("view", "add")])
            grant(role, "markets.delete_stall", "markets.delete_marketactivity")
            grant(role, *[f"markets.view_{m}" for m in ("latticefund", "latticeshop", "cooperative", "revivalproject")])
        # Shares, grants and the community fund's spending move the programme's funds: managers only.
        managed = ["latticefund", "latticeshop", "cooperative", "cooperativemember", "revivalproject"]
        money = ["subscription", "shopgrant", "projectspending"]
        grant(
            Role.MANAGER,
            "markets.close_market",
            "markets.void_sale",
            *[f"markets.{action}_{m}" for m in managed for action in ("view", "add", "change")],
            "markets.delete_cooperativemember",
            # A shareholder may give or withdraw consent to be named: the one change to a subscription.
            "markets.change_subscription",
            *[f"markets.{action}_{m}" for m in money for action in ("view", "add")],
        )


def watch_public_answers(app: AppConfig) -> None:
    """The public fund pages and API read every community's rows of this app (see yicang.core.public_cache)."""
    from yicang.community.models import CommunityOwned
    from yicang.core import public_cache

    for model in app.get_models():
        if issubclass(model, CommunityOwned):
            public_cache.watch(model, public_cache.of_community())
