from django import template

from yicang.ledger.units import format_amount

register = template.Library()


@register.filter
def amount(value: int, unit: str) -> str:
    """{{ fen|amount:"CNY" }} → ¥12.50; {{ minutes|amount:"MIN" }} → 1 h 30 min."""
    return format_amount(int(value), unit)
