from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonorsConfig(AppConfig):
    name = "donors"
    verbose_name = _("Donors")

    def ready(self) -> None:
        from donors.demo import seed_donors
        from yicang.community import demo
        from yicang.community.roles import Role, grant

        demo.register(seed_donors)

        # Centre staff record donors as they record households; a mistaken contribution or report
        # line is removed by a manager. Families and partners are never deleted: history names them.
        for role in (Role.MANAGER, Role.STAFF):
            for model in (
                "compassionfamily",
                "assistantenterprise",
                "enterprisecontribution",
                "mediapartner",
                "mediacoverage",
            ):
                grant(role, f"donors.view_{model}", f"donors.add_{model}", f"donors.change_{model}")
        grant(Role.MANAGER, "donors.delete_enterprisecontribution", "donors.delete_mediacoverage")
