"""The five public registers of the programme: what each one publishes, and nothing more.

Every selector computes the public columns in SQL, so a name that may not be shown never leaves the
database: it is `NULL` in the query's result, in the JSON and in the CSV alike. People (volunteers,
donor families) are named only with their consent; organisations (assistant enterprises, media
partners) only with theirs, as the registers have always promised (donors/models.py). Recipient
families are never listed: their register is counts per community, month of registration and
vulnerability category, each count under SMALL_CELL households suppressed, and no totals (see
`recipient_cells`).
"""

from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, TruncMonth

from donors.models import AssistantEnterprise, CompassionFamily, EnterpriseContribution, MediaCoverage, MediaPartner
from recipients.models import RecipientFamily, Vulnerability
from volunteers.models import Membership, TimeDonation, Volunteer
from yicang.core.db import subquery_count

# A count of 1 to 4 households could point at one family in a small community: it is not published.
SMALL_CELL = 5

CATEGORIES: tuple[str, ...] = tuple(Vulnerability.Category.values)


def _place() -> dict[str, F]:
    return {
        "community_code": F("community__code"),
        "community_name": F("community__name"),
        "city": F("community__city"),
        "district": F("community__district"),
    }


def public_volunteers() -> QuerySet[Volunteer]:
    """Active volunteers as the public register shows them, one row each, in one query.

    Annotations: the place (`community_code`, `community_name`, `city`, `district`), `public_name`
    (the resident's name only with consent and not erased, else NULL), `since_month`,
    `confirmed_minutes` (hours confirmed by a centre lead, never pending ones) and `group_count`.
    """
    minutes = (
        TimeDonation.objects.filter(volunteer=OuterRef("pk"), status=TimeDonation.Status.CONFIRMED)
        .order_by()
        .values("volunteer")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    groups = (
        Membership.objects.filter(resident=OuterRef("resident_id"))
        .order_by()
        .values("resident")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Volunteer.objects.filter(status=Volunteer.Status.ACTIVE)
        .annotate(
            **_place(),
            public_name=Case(
                # An erased resident's consent went with their name: the pseudonym is not shown either.
                When(public_name_consent=True, resident__anonymised_at__isnull=True, then=F("resident__name")),
                default=Value(None),
                output_field=CharField(),
            ),
            since_month=TruncMonth("since"),
            confirmed_minutes=Coalesce(Subquery(minutes), 0),
            group_count=Coalesce(Subquery(groups), 0),
        )
        .order_by()
    )


def public_donor_families() -> QuerySet[CompassionFamily]:
    """Compassion families as the public register shows them, one row each, in one query.

    Annotations: the place, `shown_name` (the public name the family chose, only with its consent),
    `joined_month` and `recruit_count` (families it brought along itself; their own recruits are theirs).
    """
    return CompassionFamily.objects.annotate(
        **_place(),
        shown_name=Case(
            When(public_name_consent=True, then=F("public_name")),
            default=Value(None),
            output_field=CharField(),
        ),
        joined_month=TruncMonth("joined_on"),
        recruit_count=subquery_count(CompassionFamily.objects.all(), "recruited_by"),
    ).order_by()


def public_enterprises() -> QuerySet[AssistantEnterprise]:
    """Assistant enterprises as the public register shows them, one row each, in one query.

    Annotations: the place, `shown_name` (only with the enterprise's consent), `since_month`,
    `contribution_count`, `contributed_fen` (the sum of the amounts known; goods of unknown value
    count in `contribution_count` only) and `last_contribution_month`. What was given is not listed:
    its free text may name a family.
    """
    contributions = EnterpriseContribution.objects.filter(enterprise=OuterRef("pk"))
    total = contributions.order_by().values("enterprise").annotate(total=Sum("amount_fen")).values("total")
    latest = contributions.order_by("-given_on", "-pk").values("given_on")
    return AssistantEnterprise.objects.annotate(
        **_place(),
        shown_name=Case(When(public_consent=True, then=F("name")), default=Value(None), output_field=CharField()),
        since_month=TruncMonth("since"),
        contribution_count=subquery_count(EnterpriseContribution.objects.all(), "enterprise"),
        contributed_fen=Coalesce(Subquery(total), 0),
        last_contribution_month=TruncMonth(Subquery(latest[:1])),
    ).order_by()


def public_media() -> QuerySet[MediaPartner]:
    """Media partners as the public register shows them, with their coverage, in two queries.

    Annotations: the place, `shown_name` (only with the partner's consent) and `coverage_count`.
    `public_coverage` (prefetched, newest first) holds the reports of named partners only: a
    report's title and link would name the outlet that did not agree to be named.
    """
    return (
        MediaPartner.objects.annotate(
            **_place(),
            shown_name=Case(When(public_consent=True, then=F("name")), default=Value(None), output_field=CharField()),
            coverage_count=subquery_count(MediaCoverage.objects.all(), "partner"),
        )
        .prefetch_related(
            Prefetch(
                "coverage",
                queryset=MediaCoverage.objects.filter(partner__public_consent=True).order_by("-published_on", "-pk"),
                to_attr="public_coverage",
            )
        )
        .order_by()
    )


@dataclass(frozen=True)
class Cell:
    """One published count: households of one category, or None when suppressed."""

    category: str
    households: int | None

    @property
    def suppressed(self) -> bool:
        return self.households is None


def suppress(count: int) -> int | None:
    """The count as published: 0 and SMALL_CELL or more are shown, 1 to SMALL_CELL - 1 are not."""
    return None if 0 < count < SMALL_CELL else count


def recipient_cells(families: QuerySet[RecipientFamily]) -> QuerySet[RecipientFamily, dict[str, object]]:
    """Recipient families counted per community and month of registration, one count per category.

    One query; a row per (community, month) with at least one family registered, with `community_code`,
    `community_name`, `city`, `district`, `month`, `key` (unique: what the cursor pages on) and one
    raw count per category in CATEGORIES. A family with several categories counts once in each; so
    the counts of a row do not add up to its families, and no total is published: with a total, a
    single suppressed cell could be worked out by subtraction. Pass the counts through
    `published_cells`, never out as they are. The month is the month the family applied, whatever
    its status now, so a published count never goes down when a family graduates or withdraws.
    """
    per_category = {
        category: Count("pk", filter=Q(vulnerabilities__category=category), distinct=True) for category in CATEGORIES
    }
    month = TruncMonth("applied_on")
    rows: QuerySet[RecipientFamily, dict[str, object]] = (
        families.order_by()
        .annotate(
            month=month,
            key=Concat(
                Cast(month, output_field=CharField()), Value("/"), F("community__code"), output_field=CharField()
            ),
        )
        .values("month", "key", "community__code", "community__name", "community__city", "community__district")
        .annotate(**per_category)
    )
    return rows


def published_cells(row: dict[str, object], categories: tuple[str, ...] = CATEGORIES) -> list[Cell]:
    """The cells of one `recipient_cells` row as they may be published: small counts suppressed."""
    cells = []
    for category in categories:
        count = row[category]
        assert isinstance(count, int)
        cells.append(Cell(category=category, households=suppress(count)))
    return cells
