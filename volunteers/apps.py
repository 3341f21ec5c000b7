from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self) -> None:
        from volunteers.demo import seed_volunteers
        from yicang.community import demo
        from yicang.community.roles import Role, grant

        demo.register(seed_volunteers)

        models = ["volunteer", "group", "membership", "centre", "organisation", "timedonation"]
        for role in (Role.MANAGER, Role.STAFF):
            grant(role, *[f"volunteers.{action}_{m}" for m in models for action in ("view", "add", "change")])
        grant(Role.MANAGER, "volunteers.confirm_timedonation", "volunteers.delete_membership")
        grant(Role.STAFF, "volunteers.delete_membership")
