from yicang.core.exceptions import Conflict, DomainError


class IntakeError(DomainError):
    code = "intake_invalid"


class ItemNotMovable(Conflict):
    """The item is not in a state that allows this step (someone else may have just moved it)."""

    code = "item_state"


class UnknownCode(DomainError):
    status = 404
    code = "unknown_code"
