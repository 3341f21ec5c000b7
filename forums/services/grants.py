"""Small grants: paid to a common issue's action from the community fund, and reversed, through the ledger."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from forums.exceptions import (
    ForumError,
    GrantAlreadyPaid,
    GrantExceedsFund,
    IllegalTransition,
    NoCommunityFund,
    NotAllowed,
)
from forums.models import Action, Grant, Issue
from forums.services.common import staff_of
from yicang.community.models import User
from yicang.ledger.exceptions import InsufficientBalance
from yicang.ledger.models import Account, Transaction, Unit
from yicang.ledger.services import Entry, grant_account, post_transaction, reverse_transaction
from yicang.ledger.units import format_amount

PAY_GRANT = "forums.pay_grant"
# A small grant: residents' own solutions, not building works. ¥50,000 is far above any the forums gave.
MAX_GRANT_FEN = 5_000_000


def may_pay(user: User, action: Action) -> bool:
    """Staff of the action's community with the permission to pay grants (centre managers)."""
    return staff_of(user, action.community_id, PAY_GRANT)


def community_fund_of(community_id: int) -> Account | None:
    return Account.objects.filter(community_id=community_id, kind=Account.Kind.COMMUNITY_FUND).first()


def grant_account_of(action: Action) -> Account:
    """The action's own account in the book, opened on first use and owned by the action."""
    return grant_account(action, name=f"小额资助 · {action.issue.title}")


@transaction.atomic
def pay_grant(*, action: Action, amount_fen: int, purpose: str, by: User) -> Grant:
    """Pay a small grant to a common issue's action from the community fund, through the ledger.

    Posts `community fund +amount, action's grant account -amount` (funds hold credits: the fund goes
    down) with the action as cause and an idempotency key. One standing grant per action: locked, so
    two managers paying at once pay once; after a reversal another may be paid. Raises NotAllowed,
    IllegalTransition, GrantAlreadyPaid, NoCommunityFund, GrantExceedsFund (400: more than the fund
    holds) or ForumError; nothing is written then.
    """
    action = Action.objects.select_for_update().select_related("issue", "community").get(pk=action.pk)
    if not may_pay(by, action):
        raise NotAllowed(_("Only a manager of the issue's community can pay its grant."))
    if action.issue.state != Issue.State.COMMON:
        raise IllegalTransition(_("Small grants go to common issues in progress."))
    if type(amount_fen) is not int or not 0 < amount_fen <= MAX_GRANT_FEN:
        raise ForumError(
            _("Give the grant in whole fen, more than nothing and at most %(max)s.")
            % {"max": format_amount(MAX_GRANT_FEN, Unit.CNY)}
        )
    purpose = purpose.strip()
    standing = Grant.objects.filter(action=action, payment__reversal__isnull=True).first()
    if standing is not None:
        raise GrantAlreadyPaid(
            _("%(issue)s already has a grant of %(amount)s; reverse it before paying another.")
            % {"issue": action.issue, "amount": format_amount(standing.amount_fen, Unit.CNY)}
        )
    fund = community_fund_of(action.community_id)
    if fund is None:
        raise NoCommunityFund(_("%(community)s has no community fund to pay from.") % {"community": action.community})
    if amount_fen > fund.shown_balance:
        raise GrantExceedsFund(_exceeds(amount_fen, fund))
    grant = Grant(community_id=action.community_id, action=action, amount_fen=amount_fen, purpose=purpose, paid_by=by)
    try:
        grant.full_clean(exclude=["payment"])
    except ValidationError as error:
        raise ForumError(" ".join(error.messages)) from None
    earlier = Grant.objects.filter(action=action).count()
    try:
        grant.payment = post_transaction(
            community=action.community,
            entries=[Entry(fund, amount_fen), Entry(grant_account_of(action), -amount_fen)],
            reason=_("Forum small grant: %(issue)s") % {"issue": action.issue.title},
            by=by,
            cause=action,
            idempotency_key=f"forum-grant-{action.pk}-{earlier + 1}",
        )
    except InsufficientBalance:
        # The fund was spent by someone else between our look and the ledger's lock.
        raise GrantExceedsFund(_exceeds(amount_fen, Account.objects.get(pk=fund.pk))) from None
    grant.save()
    return grant


def _exceeds(amount_fen: int, fund: Account) -> str:
    return _("A grant of %(amount)s is more than the community fund holds (%(balance)s).") % {
        "amount": format_amount(amount_fen, Unit.CNY),
        "balance": format_amount(fund.shown_balance, Unit.CNY),
    }


@transaction.atomic
def reverse_grant(*, grant: Grant, reason: str, by: User) -> Transaction:
    """Take a grant back into the community fund (a mirror posting in the ledger); another may then be paid.

    Raises NotAllowed, ForumError (no reason) or the ledger's AlreadyReversed / InsufficientBalance (409).
    """
    action = Action.objects.select_for_update().get(pk=grant.action_id)
    if not may_pay(by, action):
        raise NotAllowed(_("Only a manager of the issue's community can reverse its grant."))
    if not reason.strip():
        raise ForumError(_("Say why the grant is reversed."))
    return reverse_transaction(original=grant.payment, by=by, reason=reason.strip())
