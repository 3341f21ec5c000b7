from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "yicang.reports"
    label = "reports"
    verbose_name = _("Statistics and reports")

    def ready(self) -> None:
        from yicang.community import demo
        from yicang.community.roles import Role, grant
        from yicang.reports import register_cache
        from yicang.reports.demo import seed_counts

        # Registered last (this app comes last in INSTALLED_APPS), so it counts every other seeder's work.
        demo.register(seed_counts)
        for role in (Role.MANAGER, Role.STAFF, Role.WAREHOUSE):
            grant(role, "reports.view_reportrequest", "reports.add_reportrequest")
        register_cache.connect()
