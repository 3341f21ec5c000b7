import factory

from stores.models import Category, Warehouse
from tests.factories.community import CommunityFactory


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
