"""The forums in the public API: what the public pages show, read-only and without a login.

Forums with their date, place, agenda and outcome; issues with their state, supporters, grants and
timeline. Never who raised, supported or leads an issue, nor any contact: the same rule as the pages.
"""

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request

from forums.models import Forum, Issue
from forums.selectors import FORUMS, public_issues, standing_grants, timeline
from yicang.community.models import Community
from yicang.community.selectors import public_community_id
from yicang.core import public_cache
from yicang.core.api import cached_answer
from yicang.core.db import subquery_count
from yicang.ledger.services import REVERSALS

PUBLIC_FORUM_STATES = [Forum.State.CALLED, Forum.State.HELD, Forum.State.CLOSED]


class NewestFirst(CursorPagination):
    page_size = 50
    ordering = "-pk"


class PublicForumSerializer(serializers.ModelSerializer[Forum]):
    community = serializers.CharField(source="community.code")
    common_issues = serializers.IntegerField(source="common_count")

    class Meta:
        model = Forum
        fields = ["id", "community", "title", "held_at", "place", "agenda", "rules", "state", "attendance"]
        fields += ["minutes", "common_issues"]


class PublicIssueSerializer(serializers.ModelSerializer[Issue]):
    community = serializers.CharField(source="community.code")
    forum = serializers.IntegerField(source="forum_id", allow_null=True)
    supporters = serializers.IntegerField(source="supporter_count")
    granted_fen = serializers.IntegerField()
    photo = serializers.SerializerMethodField()

    class Meta:
        model = Issue
        fields = ["id", "community", "forum", "kind", "title", "text", "state", "state_changed_at", "supporters"]
        fields += ["granted_fen", "photo"]

    def get_photo(self, issue: Issue) -> str | None:
        return reverse("forums:issue-photo", args=[issue.pk]) if issue.photo else None


class TimelineSerializer(serializers.Serializer[Any]):
    at = serializers.CharField()
    kind = serializers.CharField(help_text="change (of state) or progress (of the action)")
    what = serializers.CharField(source="label", help_text="the new state, or the step of the action")
    text = serializers.CharField()


class PublicGrantSerializer(serializers.Serializer[Any]):
    amount_fen = serializers.IntegerField()
    purpose = serializers.CharField()
    paid_at = serializers.DateTimeField()


class PublicIssueDetailSerializer(PublicIssueSerializer):
    timeline = serializers.SerializerMethodField()
    grants = serializers.SerializerMethodField()

    class Meta(PublicIssueSerializer.Meta):
        fields = [*PublicIssueSerializer.Meta.fields, "timeline", "grants"]

    @extend_schema_field(TimelineSerializer(many=True))
    def get_timeline(self, issue: Issue) -> list[dict[str, Any]]:
        return [TimelineSerializer(entry).data for entry in timeline(issue)]

    @extend_schema_field(PublicGrantSerializer(many=True))
    def get_grants(self, issue: Issue) -> list[dict[str, Any]]:
        return [PublicGrantSerializer(grant).data for grant in standing_grants().filter(action__issue=issue)]


def _community(request: Request) -> Community | None:
    code = request.query_params.get("community")
    if not code:
        return None
    community = Community.objects.filter(code=code).first()
    if community is None:
        raise ValidationError({"community": _("No community has this code.")})
    return community


COMMUNITY = OpenApiParameter("community", str, description="a community's code")


def _topics(view: Any, request: Request, kwargs: dict[str, Any]) -> list[str] | None:
    """A list of one community reads that community; anything else reads every forum (see forums/apps.py)."""
    code = request.query_params.get("community")
    if code and view.action == "list":
        community_id = public_community_id(code)
        return None if community_id is None else [public_cache.community_topic(community_id)]
    return [FORUMS, REVERSALS]


class CachedReads(viewsets.ReadOnlyModelViewSet[Any]):
    @cached_answer(_topics)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().list(request, *args, **kwargs)

    @cached_answer(_topics)
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return super().retrieve(request, *args, **kwargs)


@extend_schema_view(
    list=extend_schema(tags=["public"], parameters=[COMMUNITY]), retrieve=extend_schema(tags=["public"])
)
class PublicForumViewSet(CachedReads):
    """Forums called, held or closed, newest first; planned ones are the centre's drafts and not shown."""

    permission_classes = [AllowAny]
    filter_backends: list[Any] = []
    pagination_class = NewestFirst
    serializer_class = PublicForumSerializer

    def get_queryset(self) -> QuerySet[Forum]:
        forums = Forum.objects.filter(state__in=PUBLIC_FORUM_STATES).select_related("community")
        community = _community(self.request)
        if community is not None:
            forums = forums.filter(community=community)
        common = Issue.objects.exclude(state=Issue.State.RAISED)
        return forums.annotate(common_count=subquery_count(common, "forum"))


@extend_schema_view(
    list=extend_schema(
        tags=["public"],
        parameters=[COMMUNITY, OpenApiParameter("state", str, enum=Issue.State.values)],
    ),
    retrieve=extend_schema(tags=["public"], responses=PublicIssueDetailSerializer),
)
class PublicIssueViewSet(CachedReads):
    """Issues with their state, supporters and grants; one issue with its timeline. Nobody named."""

    permission_classes = [AllowAny]
    filter_backends: list[Any] = []
    pagination_class = NewestFirst

    def get_queryset(self) -> QuerySet[Issue]:
        state = self.request.query_params.get("state", "")
        if state and state not in Issue.State.values:
            raise ValidationError({"state": _("Not a state of an issue.")})
        return public_issues(community=_community(self.request), state=state).order_by("-pk")

    def get_serializer_class(self) -> type[PublicIssueSerializer]:
        return PublicIssueDetailSerializer if self.action == "retrieve" else PublicIssueSerializer
