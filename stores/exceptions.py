from yicang.core.exceptions import Conflict, DomainError


class IntakeError(DomainError):
    code = "intake_invalid"


class ItemNotMovable(Conflict):
    """The item is not in a state that allows this step (someone else may have just moved it)."""

    code = "item_state"


class UnknownCode(DomainError):
    status = 404
    code = "unknown_code"


class DeliveryError(DomainError):
    """A delivery plan's rule was broken by what was asked (a family not receiving support, no reason given)."""

    code = "delivery_invalid"


class DeliveryConflict(Conflict):
    """The plan or the delivery is no longer in a state that allows this step (someone else may have moved it)."""

    code = "delivery_state"


class AlreadyDelivered(DeliveryConflict):
    code = "already_delivered"


class WrongFamilyCode(DomainError):
    code = "wrong_family_code"


class FamilyCodeLocked(DeliveryConflict):
    """Too many wrong family codes: the delivery can only be confirmed with the volunteer's photo now."""

    code = "family_code_locked"


class InvalidCode(DomainError):
    """What was scanned or typed cannot be an item code (wrong length or check character)."""

    code = "invalid_code"


class CheckConflict(Conflict):
    """The inventory check is not in a state that allows this step (someone else may have just taken it)."""

    code = "check_state"
