from datetime import date
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth

from volunteers.models import Centre, Group, TimeDonation, Volunteer
from yicang.community.models import Community


def confirmed_hours(
    community: Community,
    *,
    start: date,
    end: date,
    volunteer: Volunteer | None = None,
    group: Group | None = None,
    centre: Centre | None = None,
) -> QuerySet[TimeDonation, dict[str, Any]]:
    """Confirmed minutes per month in [start, end), for the community or one volunteer, group or centre.

    Rows: {"month": date, "minutes": int, "donations": int, "volunteers": int}, oldest month first.
    """
    donations = TimeDonation.objects.filter(
        community=community, status=TimeDonation.Status.CONFIRMED, given_on__gte=start, given_on__lt=end
    )
    if volunteer is not None:
        donations = donations.filter(volunteer=volunteer)
    if group is not None:
        donations = donations.filter(group=group)
    if centre is not None:
        donations = donations.filter(centre=centre)
    rows: QuerySet[TimeDonation, dict[str, Any]] = (
        donations.annotate(month=TruncMonth("given_on"))
        .values("month")
        .annotate(minutes=Sum("minutes"), donations=Count("pk"), volunteers=Count("volunteer", distinct=True))
        .order_by("month")
    )
    return rows


def hours_by(community: Community, field: str, *, start: date, end: date) -> QuerySet[TimeDonation, dict[str, Any]]:
    """Confirmed minutes in [start, end) per group or per centre (`field` is "group" or "centre")."""
    if field not in {"group", "centre"}:
        raise ValueError(field)
    rows: QuerySet[TimeDonation, dict[str, Any]] = (
        TimeDonation.objects.filter(
            community=community,
            status=TimeDonation.Status.CONFIRMED,
            given_on__gte=start,
            given_on__lt=end,
            **{f"{field}__isnull": False},
        )
        .values(f"{field}_id", f"{field}__name")
        .annotate(minutes=Sum("minutes"), volunteers=Count("volunteer", distinct=True))
        .order_by("-minutes", f"{field}__name")
    )
    return rows


def volunteer_history(volunteer: Volunteer) -> QuerySet[TimeDonation]:
    """A volunteer's recorded hours, newest first, with what they were for."""
    return TimeDonation.objects.filter(volunteer=volunteer).select_related("group", "centre", "decided_by")
