"""Admin pages for forums, issues, their actions and grants, and the help board.

Every page extends CommunityScopedAdmin / ScopedInline, so tenancy holds. Every change of state goes
through forums.services (as actions here, with their refusals shown as messages), so the rule
between forums holds in the admin exactly as on the staff pages and in the API.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forums.models import (
    Action,
    DiscussionRules,
    Forum,
    Grant,
    HelpOffer,
    HelpRequest,
    Issue,
    IssueChange,
    Notification,
    ProgressUpdate,
    Support,
)
from forums.services.board import hide_help_offer, hide_help_request, restore_help_request
from forums.services.forums import call_forum, close_forum, plan_forum, update_forum
from forums.services.grants import PAY_GRANT, community_fund_of, pay_grant, reverse_grant
from forums.services.issues import close_not_possible, mark_common, record_issue, resolve_issue
from yicang.community.access import current_user
from yicang.community.admin import (
    CommunityScopedAdmin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ReasonPrompt,
    for_each_row,
    reason_or_prompt,
)
from yicang.core.db import subquery_count
from yicang.core.exceptions import DomainError
from yicang.ledger.models import Unit
from yicang.ledger.units import format_amount


@admin.register(DiscussionRules)
class DiscussionRulesAdmin(CommunityScopedAdmin):
    list_display = ["community", "updated_at"]
    list_select_related = ["community"]
    autocomplete_fields = ["community"]


# --- Forums ---------------------------------------------------------------------------------------


class ForumForm(forms.ModelForm[Forum]):
    class Meta:
        model = Forum
        fields = ["community", "title", "held_at", "place", "agenda", "rules", "attendance", "minutes"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        held_at = data.get("held_at")
        before_held = self.instance.state in ("", Forum.State.PLANNED, Forum.State.CALLED)
        if before_held and held_at is not None and held_at <= timezone.now() and "held_at" in self.changed_data:
            self.add_error("held_at", _("A forum is planned for a time still to come."))
        return data


class IssueOfForumInline(ReadOnlyInline):
    model = Issue
    fields = ["title", "kind", "state"]
    readonly_fields = ["title", "kind", "state"]
    show_change_link = True


@admin.register(Forum)
class ForumAdmin(CommunityScopedAdmin):
    """Forums are planned and edited here; called, and closed, by the actions (through the services)."""

    form = ForumForm
    list_display = ["title", "community", "held_at", "state", "attendance", "issue_count", "common_count"]
    list_filter = ["community", "state"]
    list_select_related = ["community"]
    search_fields = ["title", "place"]
    autocomplete_fields = ["community"]
    date_hierarchy = "held_at"
    readonly_fields = ["state", "called_at", "called_by"]
    actions = ["call_selected", "close_selected"]
    inlines = [IssueOfForumInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        common = Issue.objects.exclude(state=Issue.State.RAISED)
        queryset: QuerySet[Any] = (
            super()
            .get_queryset(request)
            .annotate(
                issue_count=subquery_count(Issue.objects.all(), "forum"),
                common_count=subquery_count(common, "forum"),
            )
        )
        return queryset

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["community", "title", "held_at", "place", "agenda", "rules"]
        return [*ForumForm.Meta.fields, *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return self.readonly_fields
        if obj.state in (Forum.State.PLANNED, Forum.State.CALLED):
            # Attendance and minutes are recorded when it is held (staff page or API), through the service.
            return [*self.readonly_fields, "community", "attendance", "minutes"]
        return [*self.readonly_fields, "community", "title", "held_at", "place", "agenda", "rules"]

    @admin.display(description=_("issues"), ordering="issue_count")
    def issue_count(self, obj: Any) -> int:
        return int(obj.issue_count)

    @admin.display(description=_("common issues"), ordering="common_count")
    def common_count(self, obj: Any) -> int:
        return int(obj.common_count)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if not change:
            forum = plan_forum(
                community=obj.community,
                title=obj.title,
                held_at=obj.held_at,
                place=obj.place,
                agenda=obj.agenda,
                rules=obj.rules or None,
                by=current_user(request),
            )
            obj.pk, obj.rules = forum.pk, forum.rules
            obj._state.adding = False
            return
        update_forum(forum=obj, by=current_user(request), **data)

    @admin.action(description=_("Call the selected forums"), permissions=["change"])
    def call_selected(self, request: HttpRequest, queryset: QuerySet[Forum]) -> None:
        for_each_row(self, request, queryset, lambda f: call_forum(forum=f, by=current_user(request)), _("called."))

    @admin.action(description=_("Close the selected forums"), permissions=["change"])
    def close_selected(self, request: HttpRequest, queryset: QuerySet[Forum]) -> None:
        for_each_row(self, request, queryset, lambda f: close_forum(forum=f, by=current_user(request)), _("closed."))


# --- Issues ---------------------------------------------------------------------------------------


class IssueChangeInline(ReadOnlyInline):
    model = IssueChange
    fields = ["at", "from_state", "to_state", "note", "by"]
    readonly_fields = ["at", "from_state", "to_state", "note", "by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("by")


RESULT_PROMPT = ReasonPrompt(
    title=_("Resolve common issues"),
    intro=_("The issues below are marked resolved; the result is published and their supporters are told."),
    label=_("What was the result?"),
    missing=_("Say what the result was."),
    submit=_("Mark resolved"),
)
NOT_POSSIBLE_PROMPT = ReasonPrompt(
    title=_("Close common issues as not possible"),
    intro=_("The issues below are closed as not possible; the reason is published and their supporters are told."),
    label=_("The reason the forum recorded"),
    missing=_("Give the reason the forum recorded."),
    submit=_("Close as not possible"),
)


class IssueForm(forms.ModelForm[Issue]):
    class Meta:
        model = Issue
        fields = ["forum", "kind", "title", "text"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "forum" in self.fields:
            self.fields["forum"].required = True

    def clean_forum(self) -> Forum | None:
        forum: Forum | None = self.cleaned_data.get("forum")
        if forum is not None and forum.state not in (Forum.State.CALLED, Forum.State.HELD):
            raise forms.ValidationError(_("Issues are recorded at a called or held forum."))
        return forum


@admin.register(Issue)
class IssueAdmin(CommunityScopedAdmin):
    """Issues: staff record those raised at a forum; what residents wrote is not changed here."""

    form = IssueForm
    list_display = ["title", "community", "forum", "kind", "state", "supporter_count", "created_at"]
    list_filter = ["community", "state", "kind"]
    list_select_related = ["community", "forum"]
    search_fields = ["title", "text"]
    autocomplete_fields = ["forum"]
    actions = ["mark_common_selected", "resolve_selected", "not_possible_selected"]
    inlines = [IssueChangeInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = (
            super().get_queryset(request).annotate(supporter_count=subquery_count(Support.objects.all(), "issue"))
        )
        return queryset

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["forum", "kind", "title", "text"]
        return ["community", "forum", "kind", "title", "text", "photo", "state", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.get_fields(request, obj)

    @admin.display(description=_("supporters"), ordering="supporter_count")
    def supporter_count(self, obj: Any) -> int:
        return int(obj.supporter_count)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return  # nothing on an existing issue is changed here
        data = form.cleaned_data
        issue = record_issue(
            forum=data["forum"], kind=data["kind"], title=data["title"], text=data["text"], by=current_user(request)
        )
        obj.pk, obj.community_id = issue.pk, issue.community_id
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        return None

    @admin.action(description=_("Mark the selected issues common, at their forum"), permissions=["change"])
    def mark_common_selected(self, request: HttpRequest, queryset: QuerySet[Issue]) -> None:
        def mark(issue: Issue) -> None:
            forum = issue.forum or (
                Forum.objects.filter(community_id=issue.community_id, state=Forum.State.HELD)
                .order_by("-held_at", "-pk")
                .first()
            )
            if forum is None:
                raise DomainError(_("No forum of this community has been held yet."))
            mark_common(issue=issue, forum=forum, by=current_user(request))

        for_each_row(self, request, queryset.select_related("forum"), mark, _("marked common."))

    @admin.action(description=_("Mark the selected common issues resolved"), permissions=["change"])
    def resolve_selected(self, request: HttpRequest, queryset: QuerySet[Issue]) -> HttpResponse | None:
        result = reason_or_prompt(self, request, queryset, "resolve_selected", RESULT_PROMPT)
        if isinstance(result, HttpResponse):
            return result
        for_each_row(
            self,
            request,
            queryset,
            lambda i: resolve_issue(issue=i, result=result, by=current_user(request)),
            _("resolved."),
        )
        return None

    @admin.action(description=_("Close the selected common issues as not possible"), permissions=["change"])
    def not_possible_selected(self, request: HttpRequest, queryset: QuerySet[Issue]) -> HttpResponse | None:
        reason = reason_or_prompt(self, request, queryset, "not_possible_selected", NOT_POSSIBLE_PROMPT)
        if isinstance(reason, HttpResponse):
            return reason
        for_each_row(
            self,
            request,
            queryset,
            lambda i: close_not_possible(issue=i, reason=reason, by=current_user(request)),
            _("closed as not possible."),
        )
        return None


# --- Actions and grants ---------------------------------------------------------------------------


class ProgressUpdateInline(ReadOnlyInline):
    model = ProgressUpdate
    fields = ["on", "step", "text", "recorded_by"]
    readonly_fields = ["on", "step", "text", "recorded_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("recorded_by")


class GrantInline(ReadOnlyInline):
    model = Grant
    fields = ["paid_at", "amount_shown", "purpose", "payment", "paid_by"]
    readonly_fields = ["paid_at", "amount_shown", "purpose", "payment", "paid_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("payment", "paid_by")

    @admin.display(description=_("amount"))
    def amount_shown(self, grant: Grant) -> str:
        return format_amount(grant.amount_fen, Unit.CNY)


@admin.register(Action)
class ActionAdmin(CommunityScopedAdmin):
    """The action on a common issue: its plan and lead residents; progress and grants are added by services."""

    list_display = ["issue", "community", "step", "ended_at"]
    list_filter = ["community", "step"]
    list_select_related = ["issue", "community"]
    search_fields = ["issue__title"]
    autocomplete_fields = ["leads"]
    fields = ["issue", "plan", "leads", "step", "result", "not_possible_reason", "ended_at"]
    readonly_fields = ["issue", "step", "result", "not_possible_reason", "ended_at"]
    inlines = [ProgressUpdateInline, GrantInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # an action is made by marking an issue common

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        obj_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
        action = Action.objects.filter(pk=obj_id).first() if obj_id and str(obj_id).isdigit() else None
        if field is not None and field.queryset is not None and action is not None:
            field.queryset = field.queryset.filter(community_id=action.community_id)
        return field


class GrantForm(forms.ModelForm[Grant]):
    class Meta:
        model = Grant
        fields = ["action", "amount_fen", "purpose"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action, amount = data.get("action"), data.get("amount_fen")
        if action is not None and amount:
            fund = community_fund_of(action.community_id)
            if fund is None:
                self.add_error(
                    "action", _("%(community)s has no community fund to pay from.") % {"community": action.community}
                )
            elif amount > fund.shown_balance:
                self.add_error(
                    "amount_fen",
                    _("A grant of %(amount)s is more than the community fund holds (%(balance)s).")
                    % {
                        "amount": format_amount(amount, Unit.CNY),
                        "balance": format_amount(fund.shown_balance, Unit.CNY),
                    },
                )
        return data


GRANT_REVERSAL_PROMPT = ReasonPrompt(
    title=_("Reverse small grants"),
    intro=_("The grants below go back into the community fund, by a reversal in the ledger."),
    label=_("Why are they reversed?"),
    missing=_("Say why the grants are reversed."),
    submit=_("Reverse them"),
)


@admin.register(Grant)
class GrantAdmin(CommunityScopedAdmin):
    """Small grants: paid from the community fund when added (through the service), reversed by the action."""

    form = GrantForm
    list_display = ["action", "community", "amount_shown", "purpose", "paid_at", "reversed"]
    list_filter = ["community"]
    list_select_related = ["action__issue", "community", "payment__reversal"]
    search_fields = ["purpose", "action__issue__title"]
    autocomplete_fields = ["action"]
    actions = ["reverse_selected"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (
            ["action", "amount_fen", "purpose"]
            if obj is None
            else ["action", "amount_fen", "purpose", "payment", "paid_by", "paid_at"]
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.get_fields(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PAY_GRANT) and super().has_add_permission(request)

    def has_reverse_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PAY_GRANT)

    @admin.display(description=_("amount"), ordering="amount_fen")
    def amount_shown(self, grant: Grant) -> str:
        return format_amount(grant.amount_fen, Unit.CNY)

    @admin.display(description=_("reversed"), boolean=True)
    def reversed(self, grant: Grant) -> bool:
        return hasattr(grant.payment, "reversal")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return
        grant = pay_grant(action=obj.action, amount_fen=obj.amount_fen, purpose=obj.purpose, by=current_user(request))
        obj.pk, obj.community_id, obj.payment, obj.paid_by = grant.pk, grant.community_id, grant.payment, grant.paid_by
        obj._state.adding = False

    @admin.action(description=_("Reverse the selected grants"), permissions=["reverse"])
    def reverse_selected(self, request: HttpRequest, queryset: QuerySet[Grant]) -> HttpResponse | None:
        reason = reason_or_prompt(self, request, queryset, "reverse_selected", GRANT_REVERSAL_PROMPT)
        if isinstance(reason, HttpResponse):
            return reason
        rows = queryset.select_related("payment")
        for_each_row(
            self,
            request,
            rows,
            lambda g: reverse_grant(grant=g, reason=reason, by=current_user(request)),
            _("reversed."),
        )
        return None


# --- The help board -------------------------------------------------------------------------------


HIDE_PROMPT = ReasonPrompt(
    title=_("Hide help requests"),
    intro=_("The requests below leave the public board; their askers see the reason."),
    label=_("Why are they hidden?"),
    missing=_("Say why the requests are hidden."),
    submit=_("Hide them"),
)


class HelpOfferInline(ReadOnlyInline):
    model = HelpOffer
    fields = ["volunteer", "message", "state", "created_at"]
    readonly_fields = ["volunteer", "message", "state", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("volunteer__resident")


@admin.register(HelpRequest)
class HelpRequestAdmin(CommunityScopedAdmin):
    list_display = ["title", "community", "resident", "state", "offer_count", "created_at"]
    list_filter = ["community", "state"]
    list_select_related = ["community", "resident"]
    search_fields = ["title", "text"]
    fields = ["community", "resident", "title", "text", "state", "moderation_note", "moderated_by", "moderated_at"]
    readonly_fields = [
        "community",
        "resident",
        "title",
        "text",
        "state",
        "moderation_note",
        "moderated_by",
        "moderated_at",
    ]
    actions = ["hide_selected", "restore_selected"]
    inlines = [HelpOfferInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # residents ask on the portal

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        offers = HelpOffer.objects.filter(state=HelpOffer.State.OFFERED)
        queryset: QuerySet[Any] = (
            super().get_queryset(request).annotate(offer_count=subquery_count(offers, "help_request"))
        )
        return queryset

    @admin.display(description=_("offers"), ordering="offer_count")
    def offer_count(self, obj: Any) -> int:
        return int(obj.offer_count)

    @admin.action(description=_("Hide the selected requests from the board"), permissions=["change"])
    def hide_selected(self, request: HttpRequest, queryset: QuerySet[HelpRequest]) -> HttpResponse | None:
        reason = reason_or_prompt(self, request, queryset, "hide_selected", HIDE_PROMPT)
        if isinstance(reason, HttpResponse):
            return reason
        for_each_row(
            self,
            request,
            queryset,
            lambda r: hide_help_request(help_request=r, reason=reason, by=current_user(request)),
            _("hidden."),
        )
        return None

    @admin.action(description=_("Put the selected requests back on the board"), permissions=["change"])
    def restore_selected(self, request: HttpRequest, queryset: QuerySet[HelpRequest]) -> None:
        for_each_row(
            self,
            request,
            queryset,
            lambda r: restore_help_request(help_request=r, by=current_user(request)),
            _("back on the board."),
        )


@admin.register(HelpOffer)
class HelpOfferAdmin(CommunityScopedAdmin):
    list_display = ["help_request", "volunteer", "community", "state", "created_at"]
    list_filter = ["community", "state"]
    list_select_related = ["help_request", "volunteer__resident", "community"]
    search_fields = ["message", "help_request__title"]
    fields = ["community", "help_request", "volunteer", "message", "state", "created_at"]
    readonly_fields = ["community", "help_request", "volunteer", "message", "state", "created_at"]
    actions = ["hide_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Hide the selected offers"), permissions=["change"])
    def hide_selected(self, request: HttpRequest, queryset: QuerySet[HelpOffer]) -> None:
        for_each_row(
            self, request, queryset, lambda o: hide_help_offer(offer=o, by=current_user(request)), _("hidden.")
        )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """What supporters were told, and which e-mails went out: for checking, never for changing."""

    list_display = ["user", "change", "created_at", "read_at", "emailed_at"]
    list_filter = ["community"]
    list_select_related = ["user", "change__issue"]
    date_hierarchy = "created_at"
