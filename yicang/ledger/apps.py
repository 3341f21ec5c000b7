from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "yicang.ledger"
    label = "ledger"
    verbose_name = _("Ledger")

    def ready(self) -> None:
        from yicang.community import demo
        from yicang.community.roles import Role, grant
        from yicang.ledger.demo import seed_ledger

        demo.register(seed_ledger)

        grant(Role.MANAGER, "ledger.view_account", "ledger.add_account", "ledger.change_account")
        grant(Role.MANAGER, "ledger.view_transaction", "ledger.reverse_transaction")
        grant(Role.STAFF, "ledger.view_account", "ledger.view_transaction")
