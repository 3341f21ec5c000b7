"""Training, commendation and capacity grants for volunteers, and the community activities they run."""

# Admin pages here extend yicang.community.admin.CommunityScopedAdmin, so tenancy holds.
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteerProgrammeConfig(AppConfig):
    name = "volunteers.programme"
    label = "volunteer_programme"
    verbose_name = _("Training and activities")

    def ready(self) -> None:
        from yicang.community.roles import Role, grant

        models = ["curriculum", "trainingsession", "commendation", "activity"]
        parts = ["attendance", "performer", "theatreaudience", "ricechild", "neighbourvisit"]
        for role in (Role.MANAGER, Role.STAFF):
            grant(role, *[f"volunteer_programme.{action}_{m}" for m in models for action in ("view", "add", "change")])
            # Rows of a session or an activity are corrected by removing them from its page.
            grant(role, *[f"volunteer_programme.{a}_{m}" for m in parts for a in ("view", "add", "change", "delete")])
        grant(Role.STAFF, "volunteer_programme.view_capacitygrant")
        # Money is granted and leaves the community fund, and the theatre's audience is named, only by
        # managers: centre staff describe the audience ("独居老人") but never see who it was.
        grant(
            Role.MANAGER,
            *[f"volunteer_programme.{action}_capacitygrant" for action in ("view", "add", "change", "pay")],
            "volunteer_programme.view_audience",
        )
