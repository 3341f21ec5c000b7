"""Demo store: each community's Yicang store and Stop, and a few donations with their histories."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from donors.models import CompassionFamily
from stores.models import Category, EventKind, Item, Warehouse
from stores.services.items import IntakeLine, receive_donation, record_event
from yicang.community.models import Community, User

CATEGORIES = [("大米", "kg", True), ("食用油", "瓶", True), ("洗衣液", "瓶", False), ("冬衣", "件", False)]


def seed_store(communities: list[Community], clerk: User) -> None:
    """A store and a Stop per community, two donations, and an item written off."""
    categories = {
        name: Category.objects.get_or_create(name=name, defaults={"unit": unit, "perishable": perishable})[0]
        for name, unit, perishable in CATEGORIES
    }
    for community in communities:
        if Warehouse.objects.filter(community=community).exists():
            continue
        store = Warehouse.objects.create(
            community=community, name=f"{community.name}义仓", public_place=f"{community.name}义仓", manager=clerk
        )
        Warehouse.objects.create(
            community=community, name=f"{community.name}义仓站", kind="stop", public_place=f"{community.name}义仓站"
        )
        soon = timezone.localdate() + timedelta(days=120)
        family = CompassionFamily.objects.filter(community=community, opinion_leader=True).first()
        receive_donation(
            warehouse=store,
            family=family,
            by=clerk,
            lines=[
                IntakeLine(category=categories["大米"], count=6, quantity=Decimal("10"), expires_on=soon),
                IntakeLine(category=categories["食用油"], count=4, quantity=Decimal("5"), expires_on=soon),
            ],
        )
        receive_donation(
            warehouse=store,
            by=clerk,
            lines=[IntakeLine(category=categories["冬衣"], count=5, quantity=Decimal("1"), description="羽绒服")],
        )
        items = list(Item.objects.filter(community=community).order_by("pk"))
        record_event(item=items[3], kind=EventKind.WRITTEN_OFF, by=clerk, reason="包装破损受潮")
