from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteerProgrammeConfig(AppConfig):
    name = "volunteers.programme"
    label = "volunteer_programme"
    verbose_name = _("Training and activities")
