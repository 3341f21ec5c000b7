from typing import Any

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from yicang.community.access import current_user
from yicang.community.admin import CommunityScopedAdmin, ReadOnlyAdmin, ReadOnlyInline, ReasonPrompt, reason_or_prompt
from yicang.core.exceptions import DomainError
from yicang.ledger.models import Account, Leg, Transaction
from yicang.ledger.services import reverse_transaction
from yicang.ledger.units import format_amount


@admin.register(Account)
class AccountAdmin(CommunityScopedAdmin):
    list_display = ["name", "community", "kind", "balance_shown", "household", "allow_negative"]
    list_filter = ["community", "kind"]
    list_select_related = ["community", "household"]
    search_fields = ["name", "household__name"]
    autocomplete_fields = ["community", "household"]
    fields = ["community", "kind", "name", "household", "allow_negative", "balance_shown"]
    readonly_fields = ["balance_shown"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Once an account exists its legs depend on what it is and whose it is.
        return [*self.readonly_fields, "community", "kind", "household"] if obj else self.readonly_fields

    @admin.display(description=_("balance"), ordering="balance")
    def balance_shown(self, account: Account) -> str:
        return format_amount(account.shown_balance, account.unit) if account.pk else "—"


class LegInline(ReadOnlyInline):
    model = Leg
    fields = ["account", "debit", "credit"]
    readonly_fields = ["account", "debit", "credit"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Leg]:
        return super().get_queryset(request).select_related("account")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Legs are part of their transaction: whoever may see the transaction sees its legs.
        return request.user.has_perm("ledger.view_transaction")

    @admin.display(description=_("debit"))
    def debit(self, leg: Leg) -> str:
        return format_amount(leg.amount, leg.account.unit) if leg.amount > 0 else ""

    @admin.display(description=_("credit"))
    def credit(self, leg: Leg) -> str:
        return format_amount(-leg.amount, leg.account.unit) if leg.amount < 0 else ""


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    """Read-only: the book is written by services; the one thing done here is a reversal."""

    list_display = ["number", "posted_at", "reason", "community", "recorded_by", "reverses", "is_reversed"]
    list_display_links = ["number", "reason"]
    list_filter = ["community", "posted_at"]
    list_select_related = ["community", "recorded_by", "reverses"]
    search_fields = ["=pk", "reason", "idempotency_key"]
    fields = ["community", "posted_at", "reason", "recorded_by", "reverses", "idempotency_key", "created_at"]
    readonly_fields = ["community", "posted_at", "reason", "recorded_by", "reverses", "idempotency_key", "created_at"]
    inlines = [LegInline]
    actions = ["reverse_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = (
            super().get_queryset(request).annotate(reversed=Exists(Transaction.objects.filter(reverses=OuterRef("pk"))))
        )
        return queryset

    @admin.display(description=_("No."), ordering="pk")
    def number(self, txn: Transaction) -> str:
        return f"#{txn.pk}"

    @admin.display(description=_("reversed"), boolean=True, ordering="reversed")
    def is_reversed(self, txn: Any) -> bool:
        return bool(txn.reversed)

    def has_reverse_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("ledger.reverse_transaction")

    @admin.action(permissions=["reverse"], description=_("Reverse the selected transactions"))
    def reverse_selected(self, request: HttpRequest, queryset: QuerySet[Transaction]) -> HttpResponse | None:
        reason = reason_or_prompt(self, request, queryset, "reverse_selected", REVERSAL_PROMPT)
        if isinstance(reason, HttpResponse):
            return reason
        for original in queryset:
            try:
                reversal = reverse_transaction(original=original, by=current_user(request), reason=reason)
            except DomainError as error:
                self.message_user(request, f"#{original.pk}: {error.message}", messages.ERROR)
            else:
                self.message_user(
                    request, _("#%(pk)s reversed by #%(reversal)s.") % {"pk": original.pk, "reversal": reversal.pk}
                )
        return None


REVERSAL_PROMPT = ReasonPrompt(
    title=_("Reverse transactions"),
    intro=_(
        "Each transaction below gets a reversal: a new transaction with every leg turned round, linked to it. "
        "Nothing is deleted."
    ),
    label=_("Reason for the reversal"),
    missing=_("Give a reason for the reversal."),
    submit=_("Reverse them"),
)
