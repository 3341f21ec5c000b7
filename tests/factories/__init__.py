from tests.factories.community import (
    CommunityFactory,
    HouseholdFactory,
    ResidentFactory,
    UserFactory,
    staff_of,
)
from tests.factories.ledger import AccountFactory

__all__ = ["AccountFactory", "CommunityFactory", "HouseholdFactory", "ResidentFactory", "UserFactory", "staff_of"]
