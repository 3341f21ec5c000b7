"""The programme's figures per community, city and nation and month, counted by the worker.

`refresh_statistics` counts every community's month with one aggregate query per source (GROUP BY
community), then adds the communities up into their cities and the nation in Python. Items and
families served are not recounted here: they come from the store's monthly counts
(stores.refresh_monthly_counts). The public page and the reports read only the rows written here.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from donors.models import CompassionFamily
from recipients.models import RecipientFamily
from stores.models import Delivery, MonthlyCategoryCount, MonthlySummary
from volunteers.models import Group, TimeDonation, Volunteer
from yicang.community.models import Community, Household
from yicang.core import public_cache
from yicang.core.months import add_months, month_bounds
from yicang.ledger.models import Account, Leg
from yicang.reports.models import FIGURES, MonthlyStatistic, Scope, city_key

# Funds hold money raised for a purpose: a credit to one is money raised, a debit money spent (a grant
# paid, a project's purchase). Moves between cash and a fund's grant accounts are not counted twice.
# The topic of the public statistics page: bumped when the worker counts (see yicang.core.public_cache).
STATISTICS = "statistics"
FUND_KINDS = [Account.Kind.COMMUNITY_FUND, Account.Kind.YICANG_FUND, Account.Kind.LATTICE_FUND]


def _per_community(queryset: QuerySet[Any], path: str = "community_id") -> dict[int, int]:
    return dict(queryset.order_by().values_list(path).annotate(n=Count("pk")))


def count_communities(month: date) -> dict[int, dict[str, int]]:
    """Every figure of `month` per community id, for the communities that existed by its end.

    A fixed number of queries, whatever the number of communities. Stocks (households, donors,
    volunteers who had not left by then, groups, recipient families who volunteer) are as of the last day;
    flows over the month. A mistaken posting reversed in the ledger is left out of money raised and
    spent, and so is its reversal.
    """
    first = month.replace(day=1)
    start, end = month_bounds(first)
    last_day = add_months(first, 1) - timedelta(days=1)
    ids = list(Community.objects.filter(created_at__lt=end).order_by("pk").values_list("pk", flat=True))
    figures: dict[int, dict[str, int]] = {pk: dict.fromkeys(FIGURES, 0) | {"communities": 1} for pk in ids}

    def put(name: str, values: dict[int, int]) -> None:
        for community_id, value in values.items():
            if community_id in figures:
                figures[community_id][name] = int(value or 0)

    put("households", _per_community(Household.objects.filter(created_at__lt=end)))
    put("donors", _per_community(CompassionFamily.objects.filter(joined_on__lte=last_day)))
    put(
        "volunteers",
        _per_community(
            Volunteer.objects.filter(since__lte=last_day).filter(Q(left_on__isnull=True) | Q(left_on__gt=last_day))
        ),
    )
    put("groups", _per_community(Group.objects.filter(created_at__lt=end)))
    for community_id, volunteering, began in (
        RecipientFamily.objects.filter(volunteer_since__lte=last_day)
        .order_by()
        .values_list("community_id")
        .annotate(volunteering=Count("pk"), began=Count("pk", filter=Q(volunteer_since__gte=first)))
    ):
        put("recipients_volunteering", {community_id: volunteering})
        put("became_volunteers", {community_id: began})
    put(
        "deliveries",
        _per_community(
            Delivery.objects.filter(status=Delivery.Status.DELIVERED, confirmed_at__gte=start, confirmed_at__lt=end)
        ),
    )
    put(
        "minutes_given",
        dict(
            TimeDonation.objects.filter(
                status=TimeDonation.Status.CONFIRMED, given_on__gte=first, given_on__lte=last_day
            )
            .order_by()
            .values_list("community_id")
            .annotate(minutes=Sum("minutes"))
        ),
    )
    # Through the transaction's posted_at index; a leg's posted_at is a copy of it.
    money = (
        Leg.objects.filter(
            transaction__posted_at__gte=start,
            transaction__posted_at__lt=end,
            account__kind__in=FUND_KINDS,
            transaction__reverses__isnull=True,
            transaction__reversal__isnull=True,
        )
        .order_by()
        .values_list("account__community_id")
        .annotate(credits=Sum("amount", filter=Q(amount__lt=0)), debits=Sum("amount", filter=Q(amount__gt=0)))
    )
    for community_id, credits, debits in money:
        put("money_raised", {community_id: -(credits or 0)})
        put("money_spent", {community_id: debits or 0})
    for community_id, *items in (
        MonthlyCategoryCount.objects.filter(month=first)
        .order_by()
        .values_list("community_id")
        .annotate(Sum("items_in"), Sum("items_delivered"), Sum("items_sold"), Sum("items_written_off"))
    ):
        for name, value in zip(["items_in", "items_delivered", "items_sold", "items_written_off"], items, strict=True):
            put(name, {community_id: value})
    for community_id, donations, families in MonthlySummary.objects.filter(month=first).values_list(
        "community_id", "donations", "families_served"
    ):
        put("donations", {community_id: donations})
        put("families_served", {community_id: families})
    return figures


@transaction.atomic
def refresh_statistics(month: date) -> int:
    """Count one month for every community, city and the nation; returns the rows written.

    Safe to run again: the month's rows are replaced as a whole in one transaction, so a reader never
    sees half a month. Families served add up from communities to cities because a family is served
    by its own community's store.
    """
    first = month.replace(day=1)
    figures = count_communities(first)
    places = {
        pk: (province, city, name)
        for pk, province, city, name in Community.objects.filter(pk__in=list(figures)).values_list(
            "pk", "province", "city", "name"
        )
    }
    now = timezone.now()
    rows: list[MonthlyStatistic] = []
    cities: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    city_names: dict[str, str] = {}
    nation = dict.fromkeys(FIGURES, 0)
    for community_id, values in figures.items():
        province, city, name = places[community_id]
        key = city_key(province, city)
        city_names[key] = f"{province} {city}"
        for figure, value in values.items():
            cities[key][figure] += value
            nation[figure] += value
        rows.append(
            MonthlyStatistic(
                scope=Scope.COMMUNITY,
                key=str(community_id),
                community_id=community_id,
                name=name,
                parent=key,
                month=first,
                refreshed_at=now,
                **values,
            )
        )
    rows += [
        MonthlyStatistic(scope=Scope.CITY, key=key, name=city_names[key], month=first, refreshed_at=now, **values)
        for key, values in cities.items()
    ]
    rows.append(MonthlyStatistic(scope=Scope.NATION, key="", month=first, refreshed_at=now, **nation))
    MonthlyStatistic.objects.filter(month=first).delete()
    MonthlyStatistic.objects.bulk_create(rows, batch_size=2000)
    public_cache.touch(STATISTICS)
    return len(rows)


# --- The public page ------------------------------------------------------------------------------


@dataclass
class Dashboard:
    scope: str
    key: str
    name: str
    parent: str  # a community's city key
    months: list[date]
    rows: list[MonthlyStatistic | None]  # one per month, oldest first; None where not counted
    children: list[MonthlyStatistic]  # the latest month of the cities of the nation, or a city's communities

    @property
    def parent_name(self) -> str:
        return self.parent.replace("|", " ")

    @property
    def latest(self) -> MonthlyStatistic | None:
        return next((row for row in reversed(self.rows) if row is not None), None)

    def total(self, figure: str) -> int:
        return sum(getattr(row, figure) for row in self.rows if row is not None)


def public_dashboard(*, scope: str, key: str = "", code: str = "", last: date) -> Dashboard | None:
    """dashboard() for the public page, cached until the worker next counts (see yicang.core.public_cache)."""
    return public_cache.cached(
        [STATISTICS],
        f"statistics:{scope}:{key}:{code}:{last:%Y-%m}",
        lambda: dashboard(scope=scope, key=key, code=code, last=last),
    )


def dashboard(*, scope: str, key: str = "", code: str = "", last: date, months: int = 12) -> Dashboard | None:
    """The figures of a place for `months` months up to `last`, and its parts; two queries, None when
    the place has never been counted. A community is named by its code, a city by its key."""
    first = add_months(last, 1 - months)
    found = MonthlyStatistic.objects.filter(scope=scope, month__gte=first, month__lte=last).order_by("month")
    if scope == Scope.COMMUNITY:
        found = found.filter(community__code=code)
    else:
        found = found.filter(key=key if scope == Scope.CITY else "")
    by_month = {row.month: row for row in found}
    if not by_month:
        return None
    latest = max(by_month.values(), key=lambda row: row.month)
    children: list[MonthlyStatistic] = []
    if scope == Scope.NATION:
        children = list(
            MonthlyStatistic.objects.filter(scope=Scope.CITY, month=latest.month).order_by("-communities", "key")
        )
    elif scope == Scope.CITY:
        children = list(
            MonthlyStatistic.objects.filter(scope=Scope.COMMUNITY, parent=latest.key, month=latest.month)
            .select_related("community")
            .order_by("name", "key")
        )
    span = [add_months(first, n) for n in range(months)]
    return Dashboard(
        scope=scope,
        key=latest.key,
        name=latest.name,
        parent=latest.parent,
        months=span,
        rows=[by_month.get(month) for month in span],
        children=children,
    )


def chart_data(board: Dashboard) -> dict[str, Any]:
    """What the page's script draws: a label per month and a series per figure (yuan and hours)."""

    # Numbers for drawing only (yuan and hours as JS numbers); the figures shown as text come from the rows.
    def series(figure: str, divisor: int = 1) -> list[float]:
        values = [getattr(row, figure) if row else 0 for row in board.rows]
        return values if divisor == 1 else [round(value / divisor, 2) for value in values]

    items_out = [row.items_out if row else 0 for row in board.rows]
    return {
        "months": [f"{month:%Y-%m}" for month in board.months],
        "items_in": series("items_in"),
        "items_out": items_out,
        "hours_given": series("minutes_given", 60),
        "money_raised": series("money_raised", 100),
        "money_spent": series("money_spent", 100),
        "families_served": series("families_served"),
    }
