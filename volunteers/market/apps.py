from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceMarketConfig(AppConfig):
    name = "volunteers.market"
    label = "service_market"
    verbose_name = _("Public service market")
