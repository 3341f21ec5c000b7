from django.core.exceptions import ValidationError

from yicang.core.exceptions import DomainError


class InvalidCompassionFamily(DomainError):
    """The family cannot be recorded as given: a household or recruiter of another community, a loop
    in the recruitment tree, a household registered twice. Nothing was written.

    Carries the model's own field errors (`fields`), so a form can show each next to its field.
    """

    code = "invalid_compassion_family"

    def __init__(self, error: ValidationError) -> None:
        super().__init__(" ".join(error.messages))
        self.fields: dict[str, list[str]] = error.message_dict if hasattr(error, "error_dict") else {}
