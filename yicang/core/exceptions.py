from django.utils.functional import Promise


class DomainError(Exception):
    """A rule of the programme was broken; nothing was written.

    The message is for the person who tried: a form shows it, the API returns it with `status`.
    """

    status = 400
    code = "invalid"

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


class Conflict(DomainError):
    """The request is valid but clashes with the current state (someone else got there first)."""

    status = 409
    code = "conflict"
