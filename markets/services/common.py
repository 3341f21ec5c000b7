"""The community's accounts and the checks every entry of money shares."""

from typing import Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from markets.exceptions import BadAmount, KeyReused, MarketsError, OtherCommunity
from markets.models import LatticeShop, MoneyEntry
from markets.models.base import KEY_PATTERN, key_validator
from yicang.community.models import Community
from yicang.core.text import PUBLIC_TEXT
from yicang.ledger.models import Account
from yicang.ledger.services import grant_account
from yicang.ledger.units import format_amount

E = TypeVar("E", bound=MoneyEntry)


# --- Accounts -------------------------------------------------------------------------------------


def cash_of(community: Community) -> Account:
    """The community's cash account (the first, if it keeps several), opened on first use."""
    account = Account.objects.filter(community=community, kind=Account.Kind.CASH).order_by("pk").first()
    if account is not None:
        return account
    # Cash accounts are not one per community in the ledger, so two first entries at once are kept
    # from opening two by the community's row lock.
    Community.objects.select_for_update().get(pk=community.pk)
    account = Account.objects.filter(community=community, kind=Account.Kind.CASH).order_by("pk").first()
    return account or Account.objects.create(community=community, kind=Account.Kind.CASH, name="现金")


def yicang_fund_of(community: Community) -> Account:
    """The community's Yicang fund, opened on first use (one per community, by a unique key)."""
    account, _created = Account.objects.get_or_create(
        community=community, kind=Account.Kind.YICANG_FUND, defaults={"name": "义仓基金"}
    )
    return account


def community_fund_of(community: Community) -> Account:
    """The community fund, opened on first use (one per community, by a unique key)."""
    account, _created = Account.objects.get_or_create(
        community=community, kind=Account.Kind.COMMUNITY_FUND, defaults={"name": "社区基金"}
    )
    return account


def shop_account_of(shop: LatticeShop) -> Account:
    """The account of a shop's grants, owned by the shop and opened on its first grant."""
    return grant_account(shop, name=f"义坊 · {shop.name}")


# --- Shared checks --------------------------------------------------------------------------------


def clean_key(key: str) -> str:
    key = (key or "").strip()
    if not KEY_PATTERN.fullmatch(key):
        raise MarketsError(key_validator.message)
    return key


def clean_amount(amount: Any, what: str, *, maximum: int | None = None) -> int:
    if type(amount) is not int:
        raise BadAmount(_("%(what)s must be a whole number of fen.") % {"what": what})
    if amount <= 0:
        raise BadAmount(_("%(what)s must be more than zero.") % {"what": what})
    if maximum is not None and amount > maximum:
        raise BadAmount(
            _("%(what)s of %(amount)s is more than this accepts (%(max)s): check the figure.")
            % {"what": what, "amount": format_amount(amount, "CNY"), "max": format_amount(maximum, "CNY")}
        )
    return amount


def clean_text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise MarketsError(_("Say %(what)s.") % {"what": what})
    return clean_public(value)


def clean_public(value: str) -> str:
    """Text the fund pages show to anyone: plain, and without anyone's phone, e-mail or ID number."""
    for validate in PUBLIC_TEXT:
        try:
            validate(value)
        except ValidationError as error:
            raise MarketsError(error.messages[0]) from None
    return value


def earlier_entry(model: type[E], community_id: int, key: str, content: dict[str, Any]) -> E | None:
    """The entry made before with this key, if its content is the same; KeyReused if it is not."""
    # The stubs know the manager of the abstract base only.
    earlier = cast("E | None", model._default_manager.filter(community_id=community_id, idempotency_key=key).first())
    if earlier is None:
        return None
    if any(getattr(earlier, field) != value for field, value in content.items()):
        raise KeyReused(
            _("The key %(key)s was already used for another %(what)s (#%(pk)s); nothing was recorded.")
            % {"key": key, "what": model._meta.verbose_name, "pk": earlier.pk}
        )
    return earlier


def insert_entry(entry: E, content: dict[str, Any]) -> tuple[E, bool]:
    """Save a new entry, or find the one a concurrent submission with the same key saved first."""
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        earlier = earlier_entry(type(entry), entry.community_id, entry.idempotency_key, content)
        if earlier is None:
            raise
        return earlier, False
    return entry, True


def require_same_community(community_id: int, *others: Any) -> None:
    for other in others:
        if other is not None and other.community_id != community_id:
            raise OtherCommunity(_("%(name)s belongs to another community.") % {"name": other})
