from yicang.core.exceptions import Conflict, DomainError


class VolunteerError(DomainError):
    code = "volunteer_invalid"


class NotACentreLead(DomainError):
    """Hours are confirmed by the lead of a mutual-assistance centre of the community (or a manager)."""

    status = 403
    code = "not_a_centre_lead"


class AlreadyDecided(Conflict):
    code = "already_decided"
