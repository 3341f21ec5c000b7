"""Demo store: each community's Yicang store and Stop, and a few donations with their histories."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from donors.models import CompassionFamily
from recipients.models import RecipientFamily
from stores.models import Category, DeliveryPlan, EventKind, Item, Warehouse
from stores.services.delivery import (
    add_delivery,
    confirm_delivery,
    dispatch_item,
    family_code,
    plan_delivery,
    reserve_item,
)
from stores.services.items import IntakeLine, receive_donation, record_event
from volunteers.models import Centre
from yicang.community.models import Community, User

CATEGORIES = [("大米", "kg", True), ("食用油", "瓶", True), ("洗衣液", "瓶", False), ("冬衣", "件", False)]


def seed_store(communities: list[Community], clerk: User) -> None:
    """A store and a Stop per community, two donations, an item written off, and a delivery plan."""
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
    for community in communities:
        _seed_delivery_plan(community, clerk)


def _seed_delivery_plan(community: Community, clerk: User) -> None:
    """Today's plan of the community's centre: one family's visit confirmed with its code, one on the way.

    Skipped where the community has a plan already, or lacks a centre, two active families or the items.
    """
    if DeliveryPlan.objects.filter(community=community).exists():
        return
    centre = Centre.objects.filter(community=community).order_by("pk").first()
    store = Warehouse.objects.filter(community=community, kind=Warehouse.Kind.STORE).order_by("pk").first()
    families = list(
        RecipientFamily.objects.filter(community=community, status=RecipientFamily.Status.ACTIVE).order_by("pk")[:2]
    )
    in_stock = Item.objects.filter(warehouse=store, status=Item.Status.IN_STOCK).order_by("pk")
    items = [in_stock.filter(category__name=name).first() for name in ("大米", "食用油", "冬衣")]
    if centre is None or store is None or len(families) < 2 or None in items:
        return
    plan = plan_delivery(
        centre=centre, warehouse=store, planned_for=timezone.localdate(), by=clerk, note="每月米面油入户"
    )
    delivered = add_delivery(plan=plan, family=families[0], by=clerk, volunteer=centre.lead)
    on_the_way = add_delivery(plan=plan, family=families[1], by=clerk, volunteer=centre.lead)
    for item, visit in zip(items, [delivered, delivered, on_the_way], strict=True):
        assert item is not None
        reserve_item(delivery=visit, item=item, by=clerk)
        dispatch_item(item=item, delivery=visit, by=clerk)
    confirm_delivery(delivery=delivered, by=clerk, code=family_code(delivered))
