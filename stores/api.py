from dataclasses import asdict
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stores.selectors.public import public_month, public_trace, public_trace_log
from yicang.core.api import ScopedThrottle
from yicang.core.months import parse_month, this_month


class TraceStepSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    what = serializers.CharField()
    where = serializers.CharField()


class TraceSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    category = serializers.CharField()
    quantity = serializers.CharField()
    community = serializers.CharField()
    donor = serializers.CharField()
    steps = TraceStepSerializer(many=True)


class TraceView(APIView):
    """The public trace of one item by its code: dates, category and community-level places only."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedThrottle]
    throttle_scope = "trace"

    @extend_schema(
        tags=["public"],
        responses={200: TraceSerializer, 404: OpenApiResponse(description="unknown or not public")},
    )
    def get(self, request: Request, code: str) -> Response:
        found = public_trace(code)
        if found is None:
            raise NotFound()
        return Response(TraceSerializer(asdict(found)).data)


class LoggedStepSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    index = serializers.IntegerField(allow_null=True, help_text="the leaf's index; null until the worker appends it")
    record = serializers.CharField(allow_null=True, help_text="the leaf's canonical JSON record")


class TraceLogSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    steps = LoggedStepSerializer(many=True)


class TraceLogView(APIView):
    """Each step of an item's public trace with its leaf in the public log: what `verify_log --code` checks."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedThrottle]
    throttle_scope = "trace"

    @extend_schema(
        tags=["public"], responses={200: TraceLogSerializer, 404: OpenApiResponse(description="unknown or not public")}
    )
    def get(self, request: Request, code: str) -> Response:
        found = public_trace_log(code)
        if found is None:
            raise NotFound()
        display, steps = found
        return Response(TraceLogSerializer({"code": display, "steps": [asdict(step) for step in steps]}).data)


class CategoryMonthSerializer(serializers.Serializer[Any]):
    category = serializers.CharField()
    unit = serializers.CharField()
    items_in = serializers.IntegerField()
    quantity_in = serializers.DecimalField(max_digits=14, decimal_places=2)
    items_delivered = serializers.IntegerField()
    quantity_delivered = serializers.DecimalField(max_digits=14, decimal_places=2)
    items_sold = serializers.IntegerField()
    items_written_off = serializers.IntegerField()


class PublicitySerializer(serializers.Serializer[Any]):
    community = serializers.CharField(source="community.code")
    month = serializers.DateField()
    donations = serializers.IntegerField()
    families_served = serializers.IntegerField()
    donors_named = serializers.ListField(child=serializers.CharField())
    unnamed_donations = serializers.IntegerField()
    counted_at = serializers.DateTimeField(allow_null=True)
    rows = CategoryMonthSerializer(many=True)


class PublicityView(APIView):
    """A community's store publicity (公示) for a month: counts by category, consenting donors, no family."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=["public"],
        parameters=[OpenApiParameter("month", str, description="YYYY-MM; this month when left out")],
        responses={200: PublicitySerializer, 400: OpenApiResponse(description="not a month, or a future one")},
    )
    def get(self, request: Request, code: str) -> Response:
        asked = request.query_params.get("month")
        month = parse_month(asked) if asked else this_month()
        if month is None or month > this_month():
            raise ValidationError({"month": _("Give a past or the current month as YYYY-MM.")})
        found = public_month(code, month)
        if found is None:
            raise NotFound()
        return Response(PublicitySerializer(found).data)
