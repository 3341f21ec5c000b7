from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "yicang.ledger"
    label = "ledger"
    verbose_name = _("Ledger")

    def ready(self) -> None:
        from yicang.community import demo
        from yicang.community.roles import Role, grant
        from yicang.core import public_cache
        from yicang.ledger.demo import seed_ledger
        from yicang.ledger.models import Account

        demo.register(seed_ledger)
        # Postings touch their accounts' communities themselves (services.post_transaction); this is for the rest.
        public_cache.watch(Account, public_cache.of_community())

        grant(Role.MANAGER, "ledger.view_account", "ledger.add_account", "ledger.change_account")
        grant(Role.MANAGER, "ledger.view_transaction", "ledger.reverse_transaction")
        grant(Role.STAFF, "ledger.view_account", "ledger.view_transaction")
