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
