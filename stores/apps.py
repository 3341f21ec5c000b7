from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoresConfig(AppConfig):
    name = "stores"
    verbose_name = _("The store")

    def ready(self) -> None:
        from stores.demo import seed_store
        from yicang.community import demo
        from yicang.community.roles import Role, grant

        demo.register(seed_store)

        views = [f"stores.view_{m}" for m in ("warehouse", "category", "donation", "item", "itemevent", "labelsheet")]
        grant(Role.MANAGER, *views, "stores.add_warehouse", "stores.change_warehouse")
        grant(Role.WAREHOUSE, *views, "stores.add_labelsheet")
        grant(Role.MANAGER, "stores.add_labelsheet")
        grant(Role.STAFF, *views)
