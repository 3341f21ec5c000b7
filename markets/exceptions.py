from yicang.core.exceptions import Conflict, DomainError


class MarketsError(DomainError):
    """A rule of markets, lattice funds or the community fund's projects was broken; nothing was written."""

    code = "markets_invalid"


class BadAmount(MarketsError):
    """A price or an amount that is not a positive whole number of fen."""

    code = "bad_amount"


class NotWholeShares(MarketsError):
    """Lattice fund shares are CNY 1,000 each; an amount that is not a multiple of it buys no shares."""

    code = "not_whole_shares"


class OtherCommunity(MarketsError):
    code = "other_community"


class MarketClosed(Conflict):
    """The market was closed: its proceeds are counted, no sale can be added."""

    code = "market_closed"


class SaleVoided(Conflict):
    code = "sale_voided"


class ProjectFinished(Conflict):
    code = "project_finished"


class FundTooSmall(Conflict):
    """The fund (or the cash paying out) holds less than asked; the ledger would not let it be overdrawn."""

    code = "fund_too_small"


class KeyReused(Conflict):
    """The idempotency key was used before for an entry with other content."""

    code = "idempotency_conflict"
