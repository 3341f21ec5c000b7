from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from stores.selectors import public_trace


class TraceStepSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
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
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "trace"

    @extend_schema(responses={200: TraceSerializer, 404: OpenApiResponse(description="unknown or not public")})
    def get(self, request: Request, code: str) -> Response:
        found = public_trace(code)
        if found is None:
            raise NotFound()
        return Response(TraceSerializer(asdict(found)).data)
