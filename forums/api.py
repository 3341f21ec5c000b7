"""The forums' staff API: forums, issues and the help board, read from selectors, changed only through services.

Lists and objects are scoped to the user's communities (another community's is a 404); each command
is a POST on the object (`/forums/{id}/call/`), answering 400 for bad input and 409 for a conflict
(the rule between forums among them) through the project's exception handler.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from forums.exceptions import IllegalTransition
from forums.models import Action, Forum, HelpOffer, HelpRequest, Issue
from forums.selectors import public_issues
from forums.services.board import hide_help_request, restore_help_request
from forums.services.forums import call_forum, close_forum, hold_forum, plan_forum, update_forum
from forums.services.grants import pay_grant
from forums.services.issues import close_not_possible, mark_common, record_issue, record_progress, resolve_issue
from yicang.community.access import current_user
from yicang.community.api import ScopedModelSerializer, ScopedPrimaryKeyRelatedField, ScopedViewSetMixin
from yicang.community.models import Resident
from yicang.core.db import subquery_count
from yicang.core.permissions import IsCommunityStaff


class CanChange(IsCommunityStaff):
    """A command on an existing row (call, hold, hide…) needs the model's change permission, not add."""

    perms_map = {**IsCommunityStaff.perms_map, "POST": ["%(app_label)s.change_%(model_name)s"]}


ERRORS = {
    400: OpenApiResponse(description="bad input, with a message"),
    403: OpenApiResponse(description="not allowed"),
    404: OpenApiResponse(description="not found, or another community's"),
    409: OpenApiResponse(description="a conflict with the current state, with a message"),
}


# --- Forums ---------------------------------------------------------------------------------------


class ForumSerializer(ScopedModelSerializer):
    class Meta:
        model = Forum
        fields = [
            "id",
            "community",
            "title",
            "held_at",
            "place",
            "agenda",
            "rules",
            "state",
            "attendance",
            "minutes",
            "called_at",
        ]
        read_only_fields = ["state", "called_at"]
        extra_kwargs = {"rules": {"required": False}}


class HoldSerializer(serializers.Serializer[Any]):
    attendance = serializers.IntegerField(min_value=0)
    minutes = serializers.CharField(allow_blank=True, max_length=10000)


class ForumViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet[Forum]
):
    """Forums of the user's communities: plan (POST), change details (PATCH), call, hold and close."""

    queryset = Forum.objects.select_related("community").order_by("-held_at", "-pk")
    serializer_class = ForumSerializer
    filterset_fields = ["community", "state"]

    def perform_create(self, serializer: serializers.BaseSerializer[Forum]) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = plan_forum(by=current_user(self.request), **data)

    def perform_update(self, serializer: serializers.BaseSerializer[Forum]) -> None:
        data = dict(serializer.validated_data)
        data.pop("community", None)
        assert serializer.instance is not None
        serializer.instance = update_forum(forum=serializer.instance, by=current_user(self.request), **data)

    @extend_schema(request=None, responses={200: ForumSerializer, **ERRORS})
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def call(self, request: Request, pk: str | None = None) -> Response:
        """Call (announce) the forum; 409 while a common issue of the previous forum is unresolved."""
        forum = call_forum(forum=self.get_object(), by=current_user(request))
        return Response(ForumSerializer(forum, context=self.get_serializer_context()).data)

    @extend_schema(request=HoldSerializer, responses={200: ForumSerializer, **ERRORS})
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def hold(self, request: Request, pk: str | None = None) -> Response:
        """Record the forum as held, with its attendance and minutes."""
        forum = self.get_object()
        command = HoldSerializer(data=request.data)
        command.is_valid(raise_exception=True)
        forum = hold_forum(forum=forum, by=current_user(request), **command.validated_data)
        return Response(ForumSerializer(forum, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: ForumSerializer, **ERRORS})
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close a held forum once every common issue it took up has ended."""
        forum = close_forum(forum=self.get_object(), by=current_user(request))
        return Response(ForumSerializer(forum, context=self.get_serializer_context()).data)


# --- Issues ---------------------------------------------------------------------------------------


class IssueSerializer(ScopedModelSerializer):
    supporter_count = serializers.IntegerField(read_only=True)
    granted_fen = serializers.IntegerField(read_only=True)

    class Meta:
        model = Issue
        fields = [
            "id",
            "community",
            "forum",
            "kind",
            "title",
            "text",
            "state",
            "supporter_count",
            "granted_fen",
            "created_at",
            "state_changed_at",
        ]
        read_only_fields = ["community", "state", "created_at", "state_changed_at"]
        extra_kwargs = {"forum": {"required": True, "allow_null": False}}


class MarkCommonSerializer(serializers.Serializer[Any]):
    plan = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)
    leads = serializers.ListField(
        child=ScopedPrimaryKeyRelatedField(queryset=Resident.objects.all()), required=False, default=list
    )


class ProgressSerializer(serializers.Serializer[Any]):
    step = serializers.ChoiceField(choices=Action.Step.choices)
    text = serializers.CharField(max_length=1000)
    on = serializers.DateField(required=False)


class GrantSerializer(serializers.Serializer[Any]):
    amount_fen = serializers.IntegerField(min_value=1)
    purpose = serializers.CharField(max_length=200)


class ResultSerializer(serializers.Serializer[Any]):
    result = serializers.CharField(max_length=2000)


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


class IssueViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Issue]):
    """Issues of the user's communities: record one raised at a forum (POST), and act on common issues."""

    serializer_class = IssueSerializer
    filterset_fields = ["community", "forum", "state", "kind"]
    queryset = Issue.objects.all()

    def get_queryset(self) -> QuerySet[Issue]:
        return public_issues().filter(pk__in=super().get_queryset().values("pk"))

    def perform_create(self, serializer: serializers.BaseSerializer[Issue]) -> None:
        data = serializer.validated_data
        issue = record_issue(
            forum=data["forum"],
            kind=data["kind"],
            title=data["title"],
            text=data["text"],
            by=current_user(self.request),
        )
        serializer.instance = public_issues().get(pk=issue.pk)

    def _answer(self, issue: Issue, code: int = status.HTTP_200_OK) -> Response:
        fresh = public_issues().get(pk=issue.pk)
        return Response(IssueSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _action_of(self, issue: Issue) -> Action:
        found = Action.objects.filter(issue=issue).first()
        if found is None:
            raise IllegalTransition(_("This issue is not a common issue."))
        return found

    @extend_schema(request=MarkCommonSerializer, responses={200: IssueSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="mark-common", permission_classes=[CanChange])
    def mark_common(self, request: Request, pk: str | None = None) -> Response:
        """The issue's forum (or, for one raised online, the latest held forum) marks it common."""
        issue = self.get_object()
        command = MarkCommonSerializer(data=request.data, context=self.get_serializer_context())
        command.is_valid(raise_exception=True)
        forum = (
            issue.forum
            or Forum.objects.filter(community_id=issue.community_id, state=Forum.State.HELD)
            .order_by("-held_at", "-pk")
            .first()
        )
        if forum is None:
            raise IllegalTransition(_("No forum of this community has been held yet."))
        mark_common(issue=issue, forum=forum, by=current_user(request), **command.validated_data)
        return self._answer(issue)

    @extend_schema(request=ProgressSerializer, responses={200: IssueSerializer, **ERRORS})
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        """A dated progress update (co-planning, co-building, co-management) of a common issue."""
        issue = self.get_object()
        command = ProgressSerializer(data=request.data)
        command.is_valid(raise_exception=True)
        record_progress(action=self._action_of(issue), by=current_user(request), **command.validated_data)
        return self._answer(issue)

    @extend_schema(request=GrantSerializer, responses={201: IssueSerializer, **ERRORS})
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def grant(self, request: Request, pk: str | None = None) -> Response:
        """Pay a small grant from the community fund; 400 when it is more than the fund holds."""
        issue = self.get_object()
        command = GrantSerializer(data=request.data)
        command.is_valid(raise_exception=True)
        pay_grant(action=self._action_of(issue), by=current_user(request), **command.validated_data)
        return self._answer(issue, status.HTTP_201_CREATED)

    @extend_schema(request=ResultSerializer, responses={200: IssueSerializer, **ERRORS})
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        issue = self.get_object()
        command = ResultSerializer(data=request.data)
        command.is_valid(raise_exception=True)
        resolve_issue(issue=issue, by=current_user(request), **command.validated_data)
        return self._answer(issue)

    @extend_schema(request=ReasonSerializer, responses={200: IssueSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="not-possible", permission_classes=[CanChange])
    def not_possible(self, request: Request, pk: str | None = None) -> Response:
        issue = self.get_object()
        command = ReasonSerializer(data=request.data)
        command.is_valid(raise_exception=True)
        close_not_possible(issue=issue, by=current_user(request), **command.validated_data)
        return self._answer(issue)


# --- The help board -------------------------------------------------------------------------------


class HelpRequestSerializer(ScopedModelSerializer):
    offer_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = HelpRequest
        fields = ["id", "community", "title", "text", "state", "moderation_note", "offer_count", "created_at"]
        read_only_fields = fields


class HelpRequestViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[HelpRequest]):
    """Help requests of the user's communities, hidden ones too, for moderation (no asker's name or contact)."""

    serializer_class = HelpRequestSerializer
    filterset_fields = ["community", "state"]
    queryset = HelpRequest.objects.all()

    def get_queryset(self) -> QuerySet[HelpRequest]:
        offers = HelpOffer.objects.filter(state=HelpOffer.State.OFFERED)
        queryset: QuerySet[HelpRequest] = (
            super()
            .get_queryset()
            .annotate(offer_count=subquery_count(offers, "help_request"))
            .order_by("-created_at", "-pk")
        )
        return queryset

    @extend_schema(request=ReasonSerializer, responses={200: HelpRequestSerializer, **ERRORS})
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def hide(self, request: Request, pk: str | None = None) -> Response:
        """Take the request off the board, with the reason the asker will see."""
        help_request = self.get_object()
        command = ReasonSerializer(data=request.data)
        command.is_valid(raise_exception=True)
        hide_help_request(help_request=help_request, by=current_user(request), **command.validated_data)
        return Response(HelpRequestSerializer(self.get_object(), context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: HelpRequestSerializer, **ERRORS})
    @action(detail=True, methods=["post"], permission_classes=[CanChange])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        """Put a hidden request back on the board."""
        restore_help_request(help_request=self.get_object(), by=current_user(request))
        return Response(HelpRequestSerializer(self.get_object(), context=self.get_serializer_context()).data)
