from yicang.core.exceptions import Conflict, DomainError


class MarketError(DomainError):
    """Bad input to the market: odd minutes or places, a missing reason, a service of one's own household."""

    code = "market_invalid"


class InvalidIdNumber(DomainError):
    code = "id_number_invalid"


class NotVerified(DomainError):
    """Only residents whose residency staff have verified may request services."""

    status = 403
    code = "not_verified"


class NotLocal(DomainError):
    """A service is for the residents of the offer's own community."""

    status = 403
    code = "not_local"


class OfferNotOpen(Conflict):
    """The offer was closed, or its time has come."""

    code = "offer_not_open"


class OfferFull(Conflict):
    """Every place is taken: what the second of two residents racing for the last place hears."""

    code = "offer_full"


class AlreadyRequested(Conflict):
    code = "already_requested"


class OverlappingBooking(Conflict):
    code = "overlapping_booking"


class IllegalTransition(Conflict):
    """The request's state does not allow the step (a second completion, accepting a cancelled one)."""

    code = "illegal_transition"


class VerificationExists(Conflict):
    """The resident is verified already, or has a verification waiting."""

    code = "verification_exists"


class AlreadyDecided(Conflict):
    code = "verification_decided"
