from yicang.core.exceptions import Conflict, DomainError


class NotAllowedTransition(Conflict):
    code = "status_transition"


class ConsentMissing(DomainError):
    """Sensitive data may be recorded only with the consent the law asks for."""

    code = "consent_missing"


class RecipientError(DomainError):
    code = "recipient_invalid"
