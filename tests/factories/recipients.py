import factory

from recipients.models import RecipientFamily
from tests.factories.community import HouseholdFactory


class RecipientFamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecipientFamily

    household = factory.SubFactory(HouseholdFactory)
    community = factory.SelfAttribute("household.community")
