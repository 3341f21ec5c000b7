from stores.models.counts import MonthlyCategoryCount, MonthlySummary
from stores.models.delivery import Delivery, DeliveryPlan
from stores.models.inventory import CheckFinding, CheckScan, InventoryCheck, StoreAlert
from stores.models.items import (
    NEEDS_REASON,
    ON_A_DELIVERY,
    TRANSITIONS,
    Category,
    Donation,
    EventKind,
    Item,
    ItemEvent,
    Warehouse,
)
from stores.models.labels import LabelLayout, LabelSheet, LabelStatus

__all__ = [
    "NEEDS_REASON",
    "ON_A_DELIVERY",
    "TRANSITIONS",
    "Category",
    "CheckFinding",
    "CheckScan",
    "Delivery",
    "DeliveryPlan",
    "Donation",
    "EventKind",
    "InventoryCheck",
    "Item",
    "ItemEvent",
    "LabelLayout",
    "LabelSheet",
    "LabelStatus",
    "MonthlyCategoryCount",
    "MonthlySummary",
    "StoreAlert",
    "Warehouse",
]
