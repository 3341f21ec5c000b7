"""Reads of delivery plans for the staff pages, the API and the admin; they own the joins and the counts."""

from django.db.models import Count, Prefetch, Q, QuerySet

from recipients.models import RecipientFamily
from stores.models import Delivery, DeliveryPlan, Item
from volunteers.models import Volunteer
from yicang.community.models import Community

# The items a visit carries or carried: those only reserved stay on the shelf until dispatched.
CARRIED = [Item.Status.DISPATCHED, Item.Status.DELIVERED]


def plans_with_counts(plans: QuerySet[DeliveryPlan]) -> QuerySet[DeliveryPlan]:
    """Plans with their centre and warehouse, and how many of their visits are in each state: one query."""
    states = Delivery.Status
    return plans.select_related("centre", "warehouse", "community").annotate(
        visits=Count("deliveries"),
        visits_out=Count("deliveries", filter=Q(deliveries__status=states.OUT)),
        visits_delivered=Count("deliveries", filter=Q(deliveries__status=states.DELIVERED)),
        visits_failed=Count("deliveries", filter=Q(deliveries__status=states.FAILED)),
    )


def visits_of(plan: DeliveryPlan) -> list[Delivery]:
    """A plan's visits with their family's household, volunteer and items: three queries however many."""
    items = Item.objects.select_related("category").order_by("pk")
    return list(
        Delivery.objects.filter(plan=plan)
        .select_related("family__household", "volunteer__resident")
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("pk")
    )


def families_to_add(plan: DeliveryPlan) -> QuerySet[RecipientFamily]:
    """Families receiving support in the plan's community that are not on the plan yet."""
    return (
        RecipientFamily.objects.filter(community_id=plan.community_id, status=RecipientFamily.Status.ACTIVE)
        .exclude(deliveries__plan=plan)
        .select_related("household")
        .order_by("household__name", "pk")
    )


def volunteers_of(community: Community) -> QuerySet[Volunteer]:
    return (
        Volunteer.objects.filter(community=community, status=Volunteer.Status.ACTIVE)
        .select_related("resident")
        .order_by("resident__name", "pk")
    )
