from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceMarketConfig(AppConfig):
    name = "volunteers.market"
    label = "service_market"
    verbose_name = _("Public service market")

    def ready(self) -> None:
        from volunteers.market.demo import seed_offers
        from yicang.community import demo
        from yicang.community.roles import Role, grant

        demo.register(seed_offers)

        # Centre staff run the market day to day: publish offers, move requests along, verify residents.
        # Requests and verifications are made by residents on the portal, so staff have no "add" for them.
        offers = [f"service_market.{action}_offer" for action in ("view", "add", "change")]
        decided = [
            f"service_market.{action}_{m}" for m in ("request", "verificationrequest") for action in ("view", "change")
        ]
        for role in (Role.MANAGER, Role.STAFF):
            grant(role, *offers, *decided)
