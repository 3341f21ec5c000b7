from django.utils.translation import gettext as _

from yicang.ledger.models import Unit


def format_amount(amount: int, unit: str) -> str:
    """An integer amount as people read it: ¥1,234.56 for fen, 2 h 05 min for minutes."""
    sign = "-" if amount < 0 else ""
    whole, part = divmod(abs(amount), 100 if unit == Unit.CNY else 60)
    if unit == Unit.CNY:
        return f"{sign}¥{whole:,}.{part:02d}"
    return sign + _("%(hours)s h %(minutes)02d min") % {"hours": f"{whole:,}", "minutes": part}
