from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    name = "forums"
    verbose_name = _("Resident forums")

    def ready(self) -> None:
        from forums.demo import seed_forums
        from yicang.community import demo
        from yicang.community.roles import Role, grant

        demo.register(seed_forums)
        watch_public_answers()

        # Centre staff run the forums: plan and call them, record issues and progress, moderate the board.
        # Issues raised online, supports and help requests are made by residents, so staff do not add those
        # through the admin; paying a small grant from the community fund is for managers.
        kept = [f"forums.{a}_{m}" for m in ("forum", "discussionrules", "action") for a in ("view", "add", "change")]
        kept += [f"forums.{a}_{m}" for m in ("issue", "helprequest", "helpoffer") for a in ("view", "change")]
        kept += ["forums.add_issue", "forums.view_support", "forums.view_issuechange"]
        kept += ["forums.view_progressupdate", "forums.add_progressupdate", "forums.view_grant", "forums.call_forum"]
        for role in (Role.MANAGER, Role.STAFF):
            grant(role, *kept)
        grant(Role.MANAGER, "forums.pay_grant", "forums.add_grant")


def watch_public_answers() -> None:
    """What public forum answers read (see yicang.core.public_cache): a change bumps its community and all forums."""
    from forums.models import Action, Forum, Grant, Issue, IssueChange, ProgressUpdate, Support
    from forums.selectors import FORUMS
    from yicang.core import public_cache

    for model in (Forum, Issue, Support, IssueChange, Action, ProgressUpdate, Grant):
        public_cache.watch(model, public_cache.of_community(FORUMS))
