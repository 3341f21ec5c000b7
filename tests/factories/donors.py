import factory
from django.utils import timezone

from donors.models import AssistantEnterprise, CompassionFamily, EnterpriseContribution, MediaCoverage, MediaPartner
from tests.factories.community import CommunityFactory, HouseholdFactory


class CompassionFamilyFactory(factory.django.DjangoModelFactory):
    """A compassion family; `recruited_by=` another one puts it in the same community (as the rules want)."""

    class Meta:
        model = CompassionFamily

    class Params:
        # A family that agreed to be named publicly, under its household's name.
        consenting = factory.Trait(
            public_name_consent=True,
            public_name=factory.SelfAttribute("household.name"),
            consent_recorded_at=factory.LazyFunction(timezone.now),
        )

    recruited_by = None
    community = factory.LazyAttribute(
        lambda o: o.recruited_by.community if o.recruited_by is not None else CommunityFactory()
    )
    household = factory.SubFactory(HouseholdFactory, community=factory.SelfAttribute("..community"))
    opinion_leader = False


class AssistantEnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssistantEnterprise

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"爱心企业{n}号")
    contact_name = factory.Sequence(lambda n: f"联系人{n}")
    contact_phone = "13812345678"


class EnterpriseContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterpriseContribution

    enterprise = factory.SubFactory(AssistantEnterpriseFactory)
    description = "大米 200 公斤"


class MediaPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaPartner

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"成都第{n}报")
    outlet = MediaPartner.Outlet.NEWSPAPER
    contact_name = factory.Sequence(lambda n: f"记者{n}")
    contact_phone = "13987654321"


class MediaCoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MediaCoverage

    partner = factory.SubFactory(MediaPartnerFactory)
    title = factory.Sequence(lambda n: f"义仓报道{n}")
    url = "https://news.example.cn/yicang"
