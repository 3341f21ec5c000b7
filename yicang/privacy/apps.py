from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """The rights of the person: export and erasure, which reach into every app that holds personal data."""

    name = "yicang.privacy"
    label = "privacy"
    verbose_name = _("Rights of the person")
