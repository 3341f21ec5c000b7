import factory

from stores.models import Category, Delivery, DeliveryPlan, Warehouse
from tests.factories.community import CommunityFactory, UserFactory
from tests.factories.recipients import RecipientFamilyFactory
from tests.factories.volunteers import CentreFactory
from yicang.core.crypto import seal


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"义仓{n}")
    public_place = factory.LazyAttribute(lambda o: f"{o.community.name}义仓")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["name"]

    name = "大米"
    unit = "kg"
    perishable = True


class DeliveryPlanFactory(factory.django.DjangoModelFactory):
    """A plan of one community's centre, leaving from one of its warehouses."""

    class Meta:
        model = DeliveryPlan

    community = factory.SubFactory(CommunityFactory)
    centre = factory.SubFactory(CentreFactory, community=factory.SelfAttribute("..community"))
    warehouse = factory.SubFactory(WarehouseFactory, community=factory.SelfAttribute("..community"))
    created_by = factory.SubFactory(UserFactory)


class DeliveryFactory(factory.django.DjangoModelFactory):
    """A planned visit to a recipient family of the plan's community; the family's code is 246810."""

    class Meta:
        model = Delivery

    plan = factory.SubFactory(DeliveryPlanFactory)
    community = factory.SelfAttribute("plan.community")
    family = factory.SubFactory(
        RecipientFamilyFactory,
        household__community=factory.SelfAttribute("...plan.community"),
    )
    code_sealed = factory.LazyFunction(lambda: seal(FAMILY_CODE))


FAMILY_CODE = "246810"
