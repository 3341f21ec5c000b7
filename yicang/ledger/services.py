from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from yicang.community.models import Community, CommunityOwned, Household, User
from yicang.core import public_cache
from yicang.ledger.exceptions import AlreadyReversed, IdempotencyConflict, InsufficientBalance, InvalidPosting
from yicang.ledger.models import Account, Leg, Transaction
from yicang.ledger.units import format_amount

# The topic of public answers that leave out what the ledger reversed, wherever it was (see yicang.core.public_cache).
REVERSALS = "ledger:reversals"


@dataclass(frozen=True)
class Entry:
    """One leg to post: a signed amount (debit positive) in the account's unit, fen or minutes."""

    account: Account
    amount: int


def grant_account(owner: CommunityOwned, *, name: str) -> Account:
    """The grant account owned by `owner` (a forum's action, a lattice shop, a capacity grant), opened on first
    use in the owner's community and named `name`."""
    account, _created = Account.objects.get_or_create(
        owner_type=ContentType.objects.get_for_model(owner),
        owner_id=owner.pk,
        kind=Account.Kind.GRANT,
        defaults={"community_id": owner.community_id, "name": name[:120]},
    )
    return account


@transaction.atomic
def post_transaction(
    *,
    community: Community,
    entries: Sequence[Entry],
    reason: str,
    by: User | None,
    posted_at: datetime | None = None,
    cause: Model | None = None,
    idempotency_key: str | None = None,
    reverses: Transaction | None = None,
) -> Transaction:
    """Write one balanced transaction; the only way anything is written to the book.

    Locks the accounts touched (in id order, so two postings cannot deadlock), checks every
    account's policy against its new balance and keeps the balances. With an idempotency key, a
    repeated call (also a concurrent one) returns the transaction of the first. Raises
    InvalidPosting, InsufficientBalance or IdempotencyConflict; nothing is written then.
    """
    reason = reason.strip()
    _validate(community, entries, reason)
    if idempotency_key and (earlier := _earlier(idempotency_key, community, entries)) is not None:
        return earlier
    deltas: dict[int, int] = defaultdict(int)
    for entry in entries:
        deltas[entry.account.pk] += entry.amount
    accounts = {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=deltas).order_by("pk")}
    # Looked up again under the locks: a concurrent first call may have committed meanwhile.
    if idempotency_key and (earlier := _earlier(idempotency_key, community, entries)) is not None:
        return earlier
    for pk, delta in deltas.items():
        account = accounts[pk]
        if not account.permits(account.balance + delta):
            raise InsufficientBalance(
                _("%(account)s holds %(balance)s; this would leave %(after)s, which its policy forbids.")
                % {
                    "account": account.name,
                    "balance": format_amount(account.shown_balance, account.unit),
                    "after": format_amount(account.shown(account.balance + delta), account.unit),
                }
            )
        account.balance += delta
    when = posted_at or timezone.now()
    try:
        with transaction.atomic():
            record = Transaction.objects.create(
                community=community,
                posted_at=when,
                recorded_by=by,
                reason=reason,
                cause_type=ContentType.objects.get_for_model(cause) if cause is not None else None,
                cause_id=cause.pk if cause is not None else None,
                idempotency_key=idempotency_key or None,
                reverses=reverses,
            )
    except IntegrityError:
        if reverses is not None and Transaction.objects.filter(reverses=reverses).exists():
            raise AlreadyReversed(_("Transaction #%(pk)s has already been reversed.") % {"pk": reverses.pk}) from None
        if idempotency_key and (earlier := _earlier(idempotency_key, community, entries)) is not None:
            return earlier
        raise
    Leg.objects.bulk_create(
        [Leg(transaction=record, account=accounts[e.account.pk], amount=e.amount, posted_at=when) for e in entries]
    )
    Account.objects.bulk_update(accounts.values(), ["balance"])
    # Written in bulk, so no signal tells the public answers (funds, grants) that read these accounts.
    touched = {public_cache.community_topic(account.community_id) for account in accounts.values()}
    public_cache.touch(*touched, *([REVERSALS] if reverses is not None else []))
    return record


@transaction.atomic
def reverse_transaction(
    *, original: Transaction, by: User | None, reason: str, idempotency_key: str | None = None
) -> Transaction:
    """Post the mirror image of `original`, linked to it: the book's only way to correct itself.

    Raises AlreadyReversed for a transaction reversed before (or itself a reversal), and
    InsufficientBalance when the money or time has since been spent.
    """
    original = Transaction.objects.select_for_update().select_related("community").get(pk=original.pk)
    if original.reverses_id is not None:
        raise AlreadyReversed(
            _("Transaction #%(pk)s is itself a reversal; post it anew instead.") % {"pk": original.pk}
        )
    if Transaction.objects.filter(reverses=original).exists():
        raise AlreadyReversed(_("Transaction #%(pk)s has already been reversed.") % {"pk": original.pk})
    legs = Leg.objects.filter(transaction=original).select_related("account")
    return post_transaction(
        community=original.community,
        entries=[Entry(account=leg.account, amount=-leg.amount) for leg in legs],
        reason=reason or _("Reversal of #%(pk)s") % {"pk": original.pk},
        by=by,
        reverses=original,
        idempotency_key=idempotency_key,
    )


def _validate(community: Community, entries: Sequence[Entry], reason: str) -> None:
    if not reason:
        raise InvalidPosting(_("Give a reason for the transaction."))
    if len(entries) < 2:
        raise InvalidPosting(_("A transaction needs at least two legs."))
    totals: dict[str, int] = defaultdict(int)
    for entry in entries:
        if type(entry.amount) is not int:
            raise InvalidPosting(_("Amounts are whole numbers of fen or minutes."))
        if entry.amount == 0:
            raise InvalidPosting(_("A leg of zero means nothing; leave it out."))
        if entry.account.community_id != community.pk:
            raise InvalidPosting(_("%(account)s belongs to another community.") % {"account": entry.account.name})
        totals[entry.account.unit] += entry.amount
    for unit, total in totals.items():
        if total != 0:
            raise InvalidPosting(
                _("The legs in %(unit)s add up to %(total)s, not zero: every credit needs its debit.")
                % {"unit": unit, "total": format_amount(total, unit)}
            )


def _earlier(key: str, community: Community, entries: Sequence[Entry]) -> Transaction | None:
    earlier: Transaction | None = Transaction.objects.filter(idempotency_key=key).first()
    if earlier is None:
        return None
    posted = sorted(Leg.objects.filter(transaction=earlier).values_list("account_id", "amount"))
    asked = sorted((e.account.pk, e.amount) for e in entries)
    if earlier.community_id != community.pk or posted != asked:
        raise IdempotencyConflict(
            _("The key %(key)s was used for a different transaction (#%(pk)s).") % {"key": key, "pk": earlier.pk}
        )
    return earlier


def time_account_of(household: Household) -> Account:
    """The household's time account, opened on first use (one per household, by a unique constraint)."""
    account, _created = Account.objects.get_or_create(
        household=household,
        kind=Account.Kind.TIME,
        defaults={"community_id": household.community_id, "name": f"{household.name} · 时间"},
    )
    return account


def time_pool_of(community: Community) -> Account:
    """The community's time pool, opened on first use (one per community, by a unique constraint)."""
    account, _created = Account.objects.get_or_create(
        community=community, kind=Account.Kind.TIME_POOL, defaults={"name": f"{community.name} · 时间池"}
    )
    return account


def credit_time(
    *, household: Household, minutes: int, reason: str, by: User | None, cause: Model, idempotency_key: str
) -> Transaction:
    """Credit time a household's member gave: the household's account up, the community's pool down."""
    return post_transaction(
        community=household.community,
        entries=[Entry(time_account_of(household), minutes), Entry(time_pool_of(household.community), -minutes)],
        reason=reason,
        by=by,
        cause=cause,
        idempotency_key=idempotency_key,
    )


def transfer_time(
    *,
    payer: Household,
    payee: Household,
    minutes: int,
    reason: str,
    by: User | None,
    cause: Model,
    idempotency_key: str,
) -> Transaction:
    """Move time credits from the household that received a service to the one that gave it.

    Raises InsufficientBalance when the payer has not enough credit (and may not go below zero).
    """
    return post_transaction(
        community=payer.community,
        entries=[Entry(time_account_of(payer), -minutes), Entry(time_account_of(payee), minutes)],
        reason=reason,
        by=by,
        cause=cause,
        idempotency_key=idempotency_key,
    )
