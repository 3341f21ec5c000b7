from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "yicang.community"
    label = "community"
    verbose_name = _("Communities and people")

    def ready(self) -> None:
        from yicang.community.models import Community, SensitiveAccess
        from yicang.core import public_cache

        # Every public answer names communities; a new, renamed or removed one is rare enough to restart all.
        public_cache.watch(Community, public_cache.topics(public_cache.ALL))
        # An erasure rewrites people's rows with bulk updates, which send no signal; its record does.
        public_cache.watch(
            SensitiveAccess,
            lambda row, created: [public_cache.ALL] if row.action == SensitiveAccess.Action.ERASE else [],
        )
