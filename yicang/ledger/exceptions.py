from yicang.core.exceptions import Conflict, DomainError


class InvalidPosting(DomainError):
    """The legs given cannot make a transaction (too few, zero, foreign or closed accounts, unbalanced)."""

    code = "invalid_posting"


class InsufficientBalance(Conflict):
    """The posting would take an account below what its policy allows."""

    code = "insufficient_balance"


class AlreadyReversed(Conflict):
    code = "already_reversed"


class IdempotencyConflict(Conflict):
    """The idempotency key was used before for a different transaction."""

    code = "idempotency_conflict"
