"""The delivery API: plans and their visits to read; dispatching, confirming and writing off as commands.

Everything is scoped by community (another community's plan, visit or item is a 404). A refused step
answers with the service's message: 409 when the item or visit moved on (someone else got there
first), 400 for a broken rule. Nothing here shows a family code or personal data beyond the
household's name.
"""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stores.models import Delivery, DeliveryPlan, EventKind, Item, ItemEvent
from stores.selectors.delivery import plans_with_counts
from stores.services.delivery import confirm_delivery, dispatch_item
from stores.services.items import find_item, record_event
from yicang.community.access import current_user
from yicang.community.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin
from yicang.community.scoping import get_scoped_or_404


class ProblemSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    code = serializers.CharField()


class DeliveryItemSerializer(serializers.ModelSerializer[Item]):
    code = serializers.CharField(source="code_display", read_only=True)
    category = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = Item
        fields = ["code", "category", "quantity", "unit", "status"]
        read_only_fields = fields


class VisitSerializer(serializers.ModelSerializer[Delivery]):
    household = serializers.CharField(source="family.household.name", read_only=True)
    has_photo = serializers.BooleanField(read_only=True)
    items = DeliveryItemSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "plan", "household", "volunteer", "status", "confirmation", "confirmed_at", "has_photo"]
        fields += ["wrong_codes", "items"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer[DeliveryPlan]):
    centre_name = serializers.CharField(source="centre.name", read_only=True)
    warehouse_name = serializers.CharField(source="warehouse.name", read_only=True)
    visits = serializers.IntegerField(read_only=True)
    visits_out = serializers.IntegerField(read_only=True)
    visits_delivered = serializers.IntegerField(read_only=True)
    visits_failed = serializers.IntegerField(read_only=True)

    class Meta:
        model = DeliveryPlan
        fields = ["id", "community", "centre", "centre_name", "warehouse", "warehouse_name", "planned_for"]
        fields += ["status", "note", "created_at", "closed_at", "visits", "visits_out", "visits_delivered"]
        fields += ["visits_failed"]
        read_only_fields = fields


# The plan's status enum is named once, in the list's component; repeated here, it would be a second
# component with the same choices, which drf-spectacular cannot name without a warning.
@extend_schema_field({"type": "string", "enum": DeliveryPlan.Status.values, "readOnly": True})
class PlanStatusField(serializers.CharField):
    pass


class PlanDetailSerializer(PlanSerializer):
    status = PlanStatusField(read_only=True)
    deliveries = VisitSerializer(many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "deliveries"]
        read_only_fields = fields


class DeliveryPlanViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[DeliveryPlan]):
    """Delivery plans of the user's communities with how many visits are in each state; one with its visits."""

    queryset = DeliveryPlan.objects.all()
    filterset_fields = ["community", "status", "centre", "planned_for"]

    def get_queryset(self) -> QuerySet[DeliveryPlan]:
        plans = plans_with_counts(super().get_queryset()).order_by("-planned_for", "-pk")
        if self.action == "retrieve":
            items = Item.objects.select_related("category").order_by("pk")
            visits = (
                Delivery.objects.select_related("family__household")
                .prefetch_related(Prefetch("items", queryset=items))
                .order_by("pk")
            )
            plans = plans.prefetch_related(Prefetch("deliveries", queryset=visits))
        return plans

    def get_serializer_class(self) -> type[PlanSerializer]:
        return PlanDetailSerializer if self.action == "retrieve" else PlanSerializer


class StaffWith(BasePermission):
    """An active staff user with the permission the view names in `required_permission`."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active and user.is_staff):
            return False
        return bool(user.has_perm(view.required_permission))


class EventSerializer(serializers.ModelSerializer[ItemEvent]):
    code = serializers.CharField(source="item.code_display", read_only=True)

    class Meta:
        model = ItemEvent
        fields = ["code", "kind", "from_status", "to_status", "at", "delivery", "reason"]
        read_only_fields = fields


class DispatchInput(serializers.Serializer[Any]):
    delivery = ScopedPrimaryKeyRelatedField(queryset=Delivery.objects.all())


class ConfirmInput(serializers.Serializer[Any]):
    code = serializers.CharField(required=False, allow_blank=True, max_length=20)
    photo = serializers.FileField(required=False)


class WriteOffInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=200)


_REFUSED = {
    400: OpenApiResponse(ProblemSerializer, description="a broken rule, or bad input"),
    404: OpenApiResponse(description="no such item or visit in the user's communities"),
    409: OpenApiResponse(ProblemSerializer, description="the item or visit moved on; someone else got there first"),
}


class DispatchView(APIView):
    """Send an item out on a visit (scanned at the warehouse): in stock there, or reserved for this visit."""

    permission_classes = [StaffWith]
    required_permission = "stores.change_delivery"

    @extend_schema(request=DispatchInput, responses={200: EventSerializer, **_REFUSED})
    def post(self, request: Request, code: str) -> Response:
        item = find_item(code, user=current_user(request))
        given = DispatchInput(data=request.data, context={"request": request})
        given.is_valid(raise_exception=True)
        event = dispatch_item(item=item, delivery=given.validated_data["delivery"], by=current_user(request))
        return Response(EventSerializer(event).data)


class ConfirmView(APIView):
    """Confirm a visit at the door with the family's code (JSON) or the volunteer's photo (multipart)."""

    permission_classes = [StaffWith]
    required_permission = "stores.change_delivery"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={"application/json": ConfirmInput, "multipart/form-data": ConfirmInput},
        responses={200: VisitSerializer, **_REFUSED},
    )
    def post(self, request: Request, pk: int) -> Response:
        visit = get_scoped_or_404(Delivery.objects.all(), request.user, pk=pk)
        given = ConfirmInput(data=request.data)
        given.is_valid(raise_exception=True)
        confirm_delivery(
            delivery=visit,
            by=current_user(request),
            code=given.validated_data.get("code"),
            photo=given.validated_data.get("photo"),
        )
        shown = Delivery.objects.select_related("family__household").prefetch_related("items__category").get(pk=pk)
        return Response(VisitSerializer(shown).data)


class WriteOffView(APIView):
    """Write an item off (expired, damaged) with the reason; in stock or reserved only."""

    permission_classes = [StaffWith]
    required_permission = "stores.add_itemevent"

    @extend_schema(request=WriteOffInput, responses={200: EventSerializer, **_REFUSED})
    def post(self, request: Request, code: str) -> Response:
        given = WriteOffInput(data=request.data)
        given.is_valid(raise_exception=True)
        item = find_item(code, user=current_user(request))
        event = record_event(
            item=item, kind=EventKind.WRITTEN_OFF, by=current_user(request), reason=given.validated_data["reason"]
        )
        return Response(EventSerializer(event).data)


urlpatterns = [
    path("items/<str:code>/dispatch/", DispatchView.as_view(), name="api-item-dispatch"),
    path("items/<str:code>/write-off/", WriteOffView.as_view(), name="api-item-write-off"),
    path("deliveries/<int:pk>/confirm/", ConfirmView.as_view(), name="api-delivery-confirm"),
]
