from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoresConfig(AppConfig):
    name = "stores"
    verbose_name = _("The store")

    def ready(self) -> None:
        from stores.demo import seed_store
        from stores.log import register_item_events
        from yicang.community import demo
        from yicang.community.roles import Role, grant

        demo.register(seed_store)
        register_item_events()
        watch_public_answers()

        views = [f"stores.view_{m}" for m in ("warehouse", "category", "donation", "item", "itemevent", "labelsheet")]
        grant(Role.MANAGER, *views, "stores.add_warehouse", "stores.change_warehouse")
        grant(Role.WAREHOUSE, *views, "stores.add_labelsheet")
        grant(Role.MANAGER, "stores.add_labelsheet")
        grant(Role.STAFF, *views)
        grant(Role.MANAGER, "stores.view_monthlycategorycount", "stores.view_monthlysummary")
        # Intake and scanning pages (stores/views/intake.py, scan.py); a Yicang Stop is kept by centre staff.
        grant(Role.MANAGER, "stores.add_donation", "stores.add_itemevent")
        grant(Role.WAREHOUSE, "stores.add_donation", "stores.add_itemevent")
        grant(Role.STAFF, "stores.add_donation")
        # Delivery plans (stores/views/delivery.py): centre staff plan and visit, the warehouse scans items out.
        deliveries = [f"stores.{p}_{m}" for m in ("deliveryplan", "delivery") for p in ("view", "add", "change")]
        grant(Role.MANAGER, *deliveries)
        grant(Role.STAFF, *deliveries)
        grant(Role.WAREHOUSE, "stores.view_deliveryplan", "stores.view_delivery", "stores.change_delivery")
        # Inventory checks (stores/views/inventory.py): the warehouse runs them, centre staff help scan.
        checks = ["stores.view_inventorycheck", "stores.view_checkscan", "stores.view_checkfinding"]
        checks += ["stores.view_storealert", "stores.add_checkscan"]
        deciding = ["stores.add_inventorycheck", "stores.change_inventorycheck", "stores.change_checkfinding"]
        grant(Role.MANAGER, *checks, *deciding, "stores.change_storealert")
        grant(Role.WAREHOUSE, *checks, *deciding, "stores.change_storealert")
        grant(Role.STAFF, *checks)


def watch_public_answers() -> None:
    """What the store's public answers (traces, publicity) read; see yicang.core.public_cache.

    Every step of an item saves the item (services.items.record_event), so the item's topic covers its
    events. Two kinds are written in bulk: an item's receipt comes with the item itself, before which
    nothing was cached for its code (an unknown code never is), and an inventory check's touches its
    items where it writes them.
    """
    from donors.models import AssistantEnterprise, CompassionFamily
    from stores.models import Category, Donation, Item, Warehouse
    from stores.selectors.public import CATALOGUE, DONORS, item_topic
    from yicang.core import public_cache

    public_cache.watch(Item, lambda item, created: [item_topic(item.code)])
    public_cache.watch(Category, public_cache.topics(CATALOGUE))
    public_cache.watch(Warehouse, public_cache.topics(CATALOGUE))
    public_cache.watch(CompassionFamily, public_cache.topics(DONORS))
    public_cache.watch(AssistantEnterprise, public_cache.topics(DONORS))
    # A new donation only adds to its community's month; a changed one may name another donor on its items.
    public_cache.watch(
        Donation,
        lambda donation, created: [public_cache.community_topic(donation.community_id), *([] if created else [DONORS])],
    )
