from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "yicang.community"
    label = "community"
    verbose_name = _("Communities and people")
