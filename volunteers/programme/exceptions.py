from yicang.core.exceptions import Conflict, DomainError


class ProgrammeError(DomainError):
    """A rule of training, commendation, grants or activities was broken; nothing was written."""

    code = "programme_invalid"


class OtherCommunity(ProgrammeError):
    """The volunteer, resident or household named belongs to another community than the record."""

    code = "other_community"


class WrongActivityKind(ProgrammeError):
    """An audience for something other than a theatre, children for something other than A Spoon of Rice."""

    code = "wrong_activity_kind"


class AudienceMissing(ProgrammeError):
    """A One-Audience Theatre plays for one person: there must be someone to record."""

    code = "audience_missing"


class NotAllowed(ProgrammeError):
    status = 403
    code = "programme_not_allowed"


class AlreadyRecorded(Conflict):
    code = "already_recorded"


class TenDoorsKnocked(Conflict):
    """Each child of A Spoon of Rice contacts ten neighbours, no more."""

    code = "ten_doors_knocked"


class GrantAlreadyPaid(Conflict):
    code = "grant_already_paid"


class NotTheCommunityFund(ProgrammeError):
    """Capacity grants are paid from the grant's own community fund only."""

    code = "not_the_community_fund"


class FundTooSmall(Conflict):
    """The community fund holds less than the grant; the ledger would not let it be overdrawn."""

    code = "fund_too_small"
