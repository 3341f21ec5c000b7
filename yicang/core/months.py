"""Calendar months as the programme counts them: first days, in Asia/Shanghai time."""

import re
from datetime import date, datetime

from django.utils import timezone


def parse_month(value: str | None) -> date | None:
    """The first day of the month written YYYY-MM, or None when the text is not such a month."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", value or "")
    if match is not None:
        year, month = int(match[1]), int(match[2])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return date(year, month, 1)
    return None


def this_month() -> date:
    return timezone.localdate().replace(day=1)


def add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first instant of `month` and of the month after, in the current time zone."""
    zone = timezone.get_current_timezone()
    first, following = month.replace(day=1), add_months(month.replace(day=1), 1)
    return (
        datetime(first.year, first.month, 1, tzinfo=zone),
        datetime(following.year, following.month, 1, tzinfo=zone),
    )


# In the first days of a month, corrections of the month before are still being recorded.
LATE_DAYS = 3


def months_to_recount(month: str = "") -> list[date]:
    """The month asked for (YYYY-MM), or by default this month — and last month too in its first LATE_DAYS.

    Raises ValueError for text that is not a month: the worker's tasks take it from a person.
    """
    if month:
        first = parse_month(month)
        if first is None:
            raise ValueError(f"not a month: {month!r}")
        return [first]
    current = this_month()
    return [current] if timezone.localdate().day > LATE_DAYS else [add_months(current, -1), current]
