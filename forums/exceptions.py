from yicang.core.exceptions import Conflict, DomainError


class ForumError(DomainError):
    """A rule of forums, issues, grants or the help board was broken (bad input); nothing was written."""

    code = "forum_invalid"


class NotAllowed(ForumError):
    status = 403
    code = "forum_not_allowed"


class NotLocal(NotAllowed):
    """A resident acting on another community's forum, issue or help request."""

    code = "not_local"


class IllegalTransition(Conflict):
    """The forum, issue or help request is not in a state that allows this (anymore)."""

    code = "forum_illegal_transition"


class PreviousIssuesUnresolved(Conflict):
    """The rule that earns trust: no new forum while a common issue of the previous one is unresolved."""

    code = "previous_issues_unresolved"


class ForumAlreadyCalled(Conflict):
    """A community has one called forum at a time: the next is called after it was held."""

    code = "forum_already_called"


class AlreadySupported(Conflict):
    code = "already_supported"


class GrantExceedsFund(ForumError):
    """The small grant is more than the community fund holds."""

    code = "grant_exceeds_fund"


class NoCommunityFund(ForumError):
    code = "no_community_fund"


class GrantAlreadyPaid(Conflict):
    code = "grant_already_paid"


class AlreadyOffered(Conflict):
    code = "help_already_offered"
