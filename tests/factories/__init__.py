from tests.factories.community import (
    CommunityFactory,
    HouseholdFactory,
    ResidentFactory,
    UserFactory,
    staff_of,
)

__all__ = ["CommunityFactory", "HouseholdFactory", "ResidentFactory", "UserFactory", "staff_of"]
