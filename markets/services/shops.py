"""Grants from a lattice fund to its lattice shops."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from markets.exceptions import FundTooSmall
from markets.models import LatticeFund, LatticeShop, ShopGrant
from markets.services.common import (
    clean_amount,
    clean_key,
    clean_text,
    earlier_entry,
    insert_entry,
    shop_account_of,
)
from yicang.community.models import User
from yicang.ledger.exceptions import InsufficientBalance
from yicang.ledger.services import Entry, post_transaction
from yicang.ledger.units import format_amount


@transaction.atomic
def grant_to_shop(
    *,
    shop: LatticeShop,
    amount_fen: int,
    purpose: str,
    by: User,
    idempotency_key: str,
    at: datetime | None = None,
) -> tuple[ShopGrant, bool]:
    """Grant money from a shop's lattice fund to the shop: `lattice fund +amount, shop's account -amount`.

    Returns the grant and whether it was made now. Raises BadAmount, MarketsError, FundTooSmall (the fund
    holds less) or KeyReused; nothing is written then.
    """
    key = clean_key(idempotency_key)
    amount_fen = clean_amount(amount_fen, _("The grant"))
    purpose = clean_text(purpose, _("what the grant is for"))
    fund = LatticeFund.objects.select_for_update().select_related("community", "account").get(pk=shop.fund_id)
    content = {"shop_id": shop.pk, "amount_fen": amount_fen, "purpose": purpose}
    if (earlier := earlier_entry(ShopGrant, fund.community_id, key, content)) is not None:
        return earlier, False
    when = at or timezone.now()
    grant, created = insert_entry(
        ShopGrant(
            community=fund.community,
            shop=shop,
            fund=fund,
            amount_fen=amount_fen,
            purpose=purpose,
            granted_at=when,
            recorded_by=by,
            idempotency_key=key,
        ),
        content,
    )
    if not created:
        return grant, False
    try:
        grant.transaction = post_transaction(
            community=fund.community,
            entries=[Entry(fund.account, amount_fen), Entry(shop_account_of(shop), -amount_fen)],
            reason=_("Grant to the lattice shop %(shop)s: %(purpose)s") % {"shop": shop.name, "purpose": purpose},
            by=by,
            posted_at=when,
            cause=grant,
            idempotency_key=f"markets.shopgrant.{grant.pk}",
        )
    except InsufficientBalance as error:
        # Raised inside our transaction: the grant's row and the shop's new account go with it.
        raise FundTooSmall(
            _("%(fund)s holds %(balance)s: a grant of %(amount)s would overdraw it.")
            % {
                "fund": fund.name,
                "balance": format_amount(fund.account.shown_balance, "CNY"),
                "amount": format_amount(amount_fen, "CNY"),
            }
        ) from error
    grant.save(update_fields=["transaction"])
    return grant, True
