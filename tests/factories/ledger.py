import factory

from tests.factories.community import CommunityFactory, HouseholdFactory
from yicang.ledger.models import Account


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    community = factory.SubFactory(CommunityFactory)
    kind = Account.Kind.CASH
    name = factory.Sequence(lambda n: f"账户{n}")
    household = factory.Maybe(
        factory.LazyAttribute(lambda o: o.kind == Account.Kind.TIME),
        yes_declaration=factory.SubFactory(HouseholdFactory, community=factory.SelfAttribute("..community")),
        no_declaration=None,
    )
