from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from stores.models import Category, Delivery, DeliveryPlan, Item, Warehouse
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


def stocked(warehouse: Warehouse, count: int = 1, *, name: str = "大米") -> list[Item]:
    """`count` in-stock items received at `warehouse` through the real intake (their history is real too)."""
    from stores.services.items import IntakeLine, receive_donation

    line = IntakeLine(
        category=CategoryFactory(name=name),
        count=count,
        quantity=Decimal("10"),
        expires_on=timezone.localdate() + timedelta(days=90),
    )
    donation = receive_donation(warehouse=warehouse, lines=[line], by=UserFactory())
    return list(donation.items.order_by("pk"))


def out_for_delivery(count: int = 1, **delivery: object) -> tuple[Delivery, list[Item]]:
    """A delivery with `count` items dispatched on it (through the services), its plan out."""
    from stores.services.delivery import dispatch_item

    visit = DeliveryFactory(**delivery)
    items = stocked(visit.plan.warehouse, count)
    for item in items:
        dispatch_item(item=item, delivery=visit, by=visit.plan.created_by)
    visit.refresh_from_db()
    return visit, items


def shelved(warehouse: Warehouse, count: int = 1, *, expires_on: object = None) -> list[Item]:
    """`count` items in stock at `warehouse`, received through the real intake.

    `expires_on` (a date, also a past one, which intake would refuse) is set after intake.
    """
    from stores.services.items import IntakeLine, receive_donation

    line = IntakeLine(
        category=CategoryFactory(),
        count=count,
        quantity=Decimal("5"),
        expires_on=timezone.localdate() + timedelta(days=60),
    )
    items = list(receive_donation(warehouse=warehouse, lines=[line], by=UserFactory()).items.order_by("pk"))
    if expires_on is not None:
        Item.objects.filter(pk__in=[item.pk for item in items]).update(expires_on=expires_on)
        for item in items:
            item.refresh_from_db()
    return items
