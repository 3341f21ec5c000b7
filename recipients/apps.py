from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecipientsConfig(AppConfig):
    name = "recipients"
    verbose_name = _("Recipients")

    def ready(self) -> None:
        from recipients.demo import seed_recipients
        from yicang.community import demo
        from yicang.community.roles import Role, grant

        demo.register(seed_recipients)

        models = ["recipientfamily", "vulnerability", "needsassessment", "consentrecord", "homevisit"]
        grant(Role.MANAGER, *[f"recipients.{action}_{m}" for m in models for action in ("view", "add", "change")])
        grant(Role.MANAGER, "recipients.view_statuschange", "recipients.view_sensitive_details")
        grant(Role.STAFF, *[f"recipients.view_{m}" for m in models], "recipients.view_statuschange")
        grant(Role.STAFF, "recipients.add_homevisit", "recipients.add_needsassessment")
