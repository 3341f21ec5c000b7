from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery, Sum, Window
from django.db.models.functions import Coalesce, RowNumber, TruncMonth

from volunteers.models import Centre, Group, TimeDonation, Volunteer
from yicang.community.models import Community
from yicang.core.db import subquery_count


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


# --- The public volunteer register -----------------------------------------------------------


def _named_volunteers() -> QuerySet[Volunteer]:
    # An erased resident's consent went with their name: the pseudonym is not listed either.
    return Volunteer.objects.filter(
        status=Volunteer.Status.ACTIVE, public_name_consent=True, resident__anonymised_at__isnull=True
    )


def register_communities(code: str) -> QuerySet[Community]:
    """Communities with their counts of named and all active volunteers, groups and confirmed minutes.

    One query for a page; the counts are correlated subqueries, so they do not multiply each other.
    Without a code, only communities with an active volunteer (most of the 2,600 have none yet).
    """
    active = Volunteer.objects.filter(status=Volunteer.Status.ACTIVE)
    minutes = (
        TimeDonation.objects.filter(community=OuterRef("pk"), status=TimeDonation.Status.CONFIRMED)
        .order_by()
        .values("community")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    communities = Community.objects.all()
    if code:
        communities = communities.filter(code=code)
    else:
        communities = communities.filter(Exists(active.filter(community=OuterRef("pk"))))
    return communities.annotate(
        named_count=subquery_count(_named_volunteers(), "community"),
        active_count=subquery_count(active, "community"),
        group_count=subquery_count(Group.objects.all(), "community"),
        confirmed_minutes=Coalesce(Subquery(minutes), 0),
    ).order_by("province", "city", "district", "street", "name", "pk")


def public_names(community_ids: Sequence[int], *, limit: int | None) -> dict[int, list[str]]:
    """The names of consenting active volunteers per community, by name, at most `limit` each; one query."""
    if not community_ids:
        return {}
    named = _named_volunteers().filter(community_id__in=community_ids)
    if limit is not None:
        named = named.annotate(
            position=Window(
                RowNumber(), partition_by=F("community_id"), order_by=[F("resident__name").asc(), F("pk").asc()]
            )
        ).filter(position__lte=limit)
    names: dict[int, list[str]] = defaultdict(list)
    for community_id, name in named.order_by("community_id", "resident__name", "pk").values_list(
        "community_id", "resident__name"
    ):
        names[community_id].append(name)
    return names
