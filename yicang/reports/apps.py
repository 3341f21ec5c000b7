from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "yicang.reports"
    label = "reports"
    verbose_name = _("Statistics and reports")

    def ready(self) -> None:
        from yicang.community import demo
        from yicang.reports.demo import seed_counts

        # Registered last (this app comes last in INSTALLED_APPS), so it counts every other seeder's work.
        demo.register(seed_counts)
