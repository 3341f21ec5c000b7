"""Lattice funds and the shares residents and assistant enterprises subscribe to."""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from donors.models import AssistantEnterprise
from markets.exceptions import MarketsError, NotWholeShares
from markets.models import SHARE_FEN, LatticeFund, Subscription
from markets.services.common import (
    cash_of,
    clean_amount,
    clean_key,
    clean_public,
    clean_text,
    earlier_entry,
    insert_entry,
    require_same_community,
)
from yicang.community.models import Community, Resident, User
from yicang.ledger.models import Account
from yicang.ledger.services import Entry, post_transaction
from yicang.ledger.units import format_amount

# A lattice fund takes up to 1,000 shares at once.
MAX_SHARES = 1_000


@transaction.atomic
def open_lattice_fund(*, community: Community, name: str, purpose: str = "") -> LatticeFund:
    """Start a lattice fund with its own lattice-fund account in the ledger, owned by the fund."""
    name = clean_text(name, _("the fund's name"))
    if LatticeFund.objects.filter(community=community, name=name).exists():
        raise MarketsError(
            _("%(community)s already has a fund called %(name)s.") % {"community": community, "name": name}
        )
    account = Account.objects.create(community=community, kind=Account.Kind.LATTICE_FUND, name=name[:120])
    fund = LatticeFund.objects.create(
        community=community, name=name, purpose=clean_public(purpose.strip()), account=account
    )
    account.owner_type = ContentType.objects.get_for_model(LatticeFund)
    account.owner_id = fund.pk
    account.save(update_fields=["owner_type", "owner_id"])
    return fund


@transaction.atomic
def subscribe(
    *,
    fund: LatticeFund,
    amount_fen: int,
    by: User,
    idempotency_key: str,
    person_name: str = "",
    resident: Resident | None = None,
    enterprise: AssistantEnterprise | None = None,
    public_consent: bool = False,
    public_name: str = "",
    at: datetime | None = None,
) -> tuple[Subscription, bool]:
    """Sell shares of CNY 1,000 of a lattice fund to a person or an assistant enterprise.

    Posts `cash +amount, lattice fund -amount`. The shareholder is named publicly only with consent,
    under `public_name` (the person's or enterprise's own name when left empty). Returns the
    subscription and whether it was recorded now. Raises BadAmount, NotWholeShares, MarketsError,
    OtherCommunity or KeyReused; nothing is written then.
    """
    key = clean_key(idempotency_key)
    amount_fen = clean_amount(amount_fen, _("The amount"), maximum=MAX_SHARES * SHARE_FEN)
    if amount_fen % SHARE_FEN:
        raise NotWholeShares(
            _("A share is %(share)s: %(amount)s is not a whole number of shares.")
            % {"share": format_amount(SHARE_FEN, "CNY"), "amount": format_amount(amount_fen, "CNY")}
        )
    if (enterprise is None) == (not (person_name or "").strip() and resident is None):
        raise MarketsError(_("A shareholder is a person (give the name) or an assistant enterprise, not both."))
    fund = LatticeFund.objects.select_for_update().select_related("community", "account").get(pk=fund.pk)
    require_same_community(fund.community_id, resident, enterprise)
    kind = Subscription.Kind.ENTERPRISE if enterprise is not None else Subscription.Kind.INDIVIDUAL
    person_name = "" if enterprise is not None else ((person_name or "").strip() or (resident.name if resident else ""))
    public_name = clean_public((public_name or "").strip()[:80]) if public_consent else ""
    if public_consent and not public_name:
        public_name = (enterprise.name if enterprise is not None else person_name)[:80]
    content = {
        "fund_id": fund.pk,
        "amount_fen": amount_fen,
        "kind": kind,
        "person_name": person_name,
        "resident_id": resident.pk if resident else None,
        "enterprise_id": enterprise.pk if enterprise else None,
        "public_consent": public_consent,
        "public_name": public_name,
    }
    if (earlier := earlier_entry(Subscription, fund.community_id, key, content)) is not None:
        return earlier, False
    when = at or timezone.now()
    shares = amount_fen // SHARE_FEN
    subscription, created = insert_entry(
        Subscription(
            community=fund.community,
            fund=fund,
            kind=kind,
            person_name=person_name,
            resident=resident,
            enterprise=enterprise,
            shares=shares,
            amount_fen=amount_fen,
            subscribed_at=when,
            public_consent=public_consent,
            public_name=public_name,
            recorded_by=by,
            idempotency_key=key,
        ),
        content,
    )
    if not created:
        return subscription, False
    subscription.transaction = post_transaction(
        community=fund.community,
        entries=[Entry(cash_of(fund.community), amount_fen), Entry(fund.account, -amount_fen)],
        reason=_("%(fund)s: %(shares)s shares") % {"fund": fund.name, "shares": shares},
        by=by,
        posted_at=when,
        cause=subscription,
        idempotency_key=f"markets.subscription.{subscription.pk}",
    )
    subscription.save(update_fields=["transaction"])
    return subscription, True
