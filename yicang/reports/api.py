"""The public API of the five registers, under /api/v1/registers/<name>/: read-only, no login.

Each register is a list (cursor-paged, filtered with django-filter, cached until its data changes:
see register_cache.py) and a CSV download of the same rows with the same filters (`<name>/csv/`), streamed
from the database so that a whole register never sits in memory. What each row holds is decided in
registers.py, in SQL; this module only shapes it.
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import renderers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from donors.models import AssistantEnterprise, CompassionFamily, MediaPartner
from recipients.models import RecipientFamily, Vulnerability
from volunteers.models import Volunteer
from yicang.core.api import cached_answer
from yicang.core.months import add_months, parse_month
from yicang.reports import register_cache
from yicang.reports.registers import (
    CATEGORIES,
    public_donor_families,
    public_enterprises,
    public_media,
    public_volunteers,
    published_cells,
    recipient_cells,
)

PUBLIC = "public"
# Rows read from the database at a time while a CSV streams out.
CSV_CHUNK = 1000

# --- Filters --------------------------------------------------------------------------------------


class MonthFormField(forms.CharField):
    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(_("Give a month as YYYY-MM."), code="month")
        return month


class MonthFilter(filters.CharFilter):
    """A month written YYYY-MM: from its first day on, or (`until=True`) up to its last day."""

    field_class = MonthFormField

    def __init__(self, *args: Any, until: bool = False, **kwargs: Any) -> None:
        self.until = until
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: date | None) -> QuerySet[Any]:
        if value is None:
            return qs
        if self.until:
            return qs.filter(**{f"{self.field_name}__lt": add_months(value, 1)})
        return qs.filter(**{f"{self.field_name}__gte": value})


class PlaceFilterSet(filters.FilterSet):
    community = filters.CharFilter(field_name="community__code", help_text=_("a community's code"))
    city = filters.CharFilter(field_name="community__city", help_text=_("a city, e.g. 成都市"))
    district = filters.CharFilter(field_name="community__district", help_text=_("a district, e.g. 锦江区"))


class VolunteerFilter(PlaceFilterSet):
    since_from = MonthFilter(field_name="since", help_text=_("volunteering since this month (YYYY-MM) or later"))
    since_to = MonthFilter(field_name="since", until=True, help_text=_("volunteering since this month or earlier"))
    named = filters.BooleanFilter(field_name="public_name_consent", help_text=_("only the named, or the unnamed"))

    class Meta:
        model = Volunteer
        fields: list[str] = []


class DonorFamilyFilter(PlaceFilterSet):
    joined_from = MonthFilter(field_name="joined_on", help_text=_("joined in this month (YYYY-MM) or later"))
    joined_to = MonthFilter(field_name="joined_on", until=True, help_text=_("joined in this month or earlier"))
    opinion_leader = filters.BooleanFilter(help_text=_("only opinion leaders, or only the others"))

    class Meta:
        model = CompassionFamily
        fields: list[str] = []


class EnterpriseFilter(PlaceFilterSet):
    since_from = MonthFilter(field_name="since", help_text=_("partner since this month (YYYY-MM) or later"))
    since_to = MonthFilter(field_name="since", until=True, help_text=_("partner since this month or earlier"))

    class Meta:
        model = AssistantEnterprise
        fields: list[str] = []


class MediaFilter(PlaceFilterSet):
    outlet = filters.ChoiceFilter(choices=MediaPartner.Outlet.choices, help_text=_("the kind of outlet"))

    class Meta:
        model = MediaPartner
        fields: list[str] = []


class RecipientFilter(PlaceFilterSet):
    month_from = MonthFilter(field_name="applied_on", help_text=_("from this month (YYYY-MM) on"))
    month_to = MonthFilter(field_name="applied_on", until=True, help_text=_("up to this month (YYYY-MM)"))
    # Chooses the cells shown, not the families counted: a count never depends on another filter.
    category = filters.ChoiceFilter(
        choices=Vulnerability.Category.choices, method="keep", help_text=_("only this category's counts")
    )

    class Meta:
        model = RecipientFamily
        fields: list[str] = []

    def keep(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset


# --- Fields and serializers -----------------------------------------------------------------------


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2025-03"})
class MonthField(serializers.Field):  # type: ignore[type-arg]
    def to_representation(self, value: date) -> str:
        return f"{value:%Y-%m}"


class HoursField(serializers.DecimalField):
    """Minutes in, hours out, to two decimal places."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=12, decimal_places=2, **kwargs)

    def to_representation(self, value: Decimal | int) -> str:
        return str(super().to_representation(Decimal(value) / 60))


class PlaceSerializer(serializers.Serializer[Any]):
    community = serializers.CharField(source="community_code", help_text=_("the community's code"))
    community_name = serializers.CharField()
    city = serializers.CharField()
    district = serializers.CharField()


class VolunteerRowSerializer(PlaceSerializer):
    name = serializers.CharField(source="public_name", allow_null=True, help_text=_("only with their consent"))
    since = MonthField(source="since_month")
    hours = HoursField(source="confirmed_minutes", help_text=_("hours confirmed by a centre lead"))
    groups = serializers.IntegerField(source="group_count", help_text=_("groups they belong to"))


class DonorFamilyRowSerializer(PlaceSerializer):
    name = serializers.CharField(source="shown_name", allow_null=True, help_text=_("only with the family's consent"))
    joined = MonthField(source="joined_month")
    opinion_leader = serializers.BooleanField()
    families_brought = serializers.IntegerField(source="recruit_count", help_text=_("families it recruited itself"))


class EnterpriseRowSerializer(PlaceSerializer):
    name = serializers.CharField(source="shown_name", allow_null=True, help_text=_("only with its consent"))
    since = MonthField(source="since_month")
    contributions = serializers.IntegerField(source="contribution_count")
    contributed_fen = serializers.IntegerField(help_text=_("the sum of the amounts known, in fen"))
    last_contribution = MonthField(source="last_contribution_month", allow_null=True)


class CoverageSerializer(serializers.Serializer[Any]):
    published_on = serializers.DateField()
    title = serializers.CharField()
    url = serializers.CharField()


class MediaRowSerializer(PlaceSerializer):
    name = serializers.CharField(source="shown_name", allow_null=True, help_text=_("only with its consent"))
    outlet = serializers.ChoiceField(choices=MediaPartner.Outlet.choices)
    coverage_count = serializers.IntegerField()
    coverage = CoverageSerializer(
        source="public_coverage", many=True, help_text=_("newest first; only a named partner's reports")
    )


class CellSerializer(serializers.Serializer[Any]):
    category = serializers.ChoiceField(choices=Vulnerability.Category.choices)
    households = serializers.IntegerField(allow_null=True, help_text=_("null when suppressed"))
    suppressed = serializers.BooleanField(help_text=_("1 to 4 households: not published"))


class RecipientRowSerializer(PlaceSerializer):
    month = MonthField(help_text=_("the month the families applied"))
    categories = CellSerializer(many=True)


# --- Paging, throttling, CSV ------------------------------------------------------------------------


class RegisterCursor(CursorPagination):
    """Pages by the primary key, newest first: unique, so the cursor never falls back to an offset
    (DRF caps those at 1,000, which a month shared by many volunteers would exceed)."""

    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class CellCursor(RegisterCursor):
    ordering = "-key"  # "<month>/<community code>": one row each


class CSVRenderer(renderers.BaseRenderer):
    """text/csv for the download's content negotiation and its errors (400, 429); the rows are streamed.

    Written here rather than taken from djangorestframework-csv, which is unmaintained and renders a
    whole list held in memory.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        items = data.items() if isinstance(data, dict) else [("detail", data)]
        return "".join(csv_lines(("field", "message"), ([key, _text(value)] for key, value in items))).encode()


class _Line:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(list(header))
    for row in rows:
        yield writer.writerow([_text(value) for value in row])


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(_text(item) for item in value)
    return str(value)


# Names for annotations inside the viewset, whose `list` method hides the built-in type there.
Rows = list[Any]
Columns = list[str]
Line = list[object]


def _fields(serializer: serializers.BaseSerializer[Any]) -> list[str]:
    assert isinstance(serializer, serializers.Serializer)
    return list(serializer.fields)


# --- The registers --------------------------------------------------------------------------------


@extend_schema(tags=[PUBLIC])
class RegisterViewSet(viewsets.GenericViewSet[Any]):
    register: ClassVar[str]
    permission_classes = [AllowAny]
    filter_backends = [filters.DjangoFilterBackend]
    pagination_class = RegisterCursor

    @cached_answer(lambda view, request, kwargs: [register_cache.topic(view.register)])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.rows(self.filter_queryset(self.get_queryset())))
        assert page is not None
        return self.get_paginated_response(self.get_serializer(self.present(page), many=True).data)

    def rows(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset

    def present(self, rows: Rows) -> Rows:
        return rows

    def csv_header(self) -> Columns:
        """The CSV's columns: the serializer's fields, in order, unless a register lays its lines out itself."""
        return [*_fields(self.get_serializer())]

    def csv_rows(self, item: dict[str, Any]) -> Iterable[Line]:
        return [list(item.values())]  # a serializer's data keeps its fields' order, the header's

    @extend_schema(filters=True, responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"], url_path="csv", renderer_classes=[CSVRenderer])
    def csv(self, request: Request) -> StreamingHttpResponse:
        """The whole register, filtered as the list is, as CSV (UTF-8 with a byte-order mark, for Excel)."""
        # The pages' order, so that the file and the pages list the rows alike.
        ordering = self.paginator.ordering if isinstance(self.paginator, CursorPagination) else "-pk"
        fields = [ordering] if isinstance(ordering, str) else list(ordering)
        queryset = self.rows(self.filter_queryset(self.get_queryset())).order_by(*fields)
        header = self.csv_header()

        def lines() -> Iterator[str]:
            yield "\ufeff"
            yield from csv_lines(header, self._stream(queryset))

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.register}.csv"'
        return response

    def _stream(self, queryset: QuerySet[Any]) -> Iterator[Line]:
        chunk: Rows = []
        for row in queryset.iterator(chunk_size=CSV_CHUNK):
            chunk.append(row)
            if len(chunk) == CSV_CHUNK:
                yield from self._lines(chunk)
                chunk = []
        yield from self._lines(chunk)

    def _lines(self, chunk: Rows) -> Iterator[Line]:
        for item in self.get_serializer(self.present(chunk), many=True).data:
            yield from self.csv_rows(item)


class VolunteerRegister(RegisterViewSet):
    """Active volunteers: community, name only with their consent, since when, confirmed hours, groups."""

    register = register_cache.VOLUNTEERS
    serializer_class = VolunteerRowSerializer
    filterset_class = VolunteerFilter

    def get_queryset(self) -> QuerySet[Volunteer]:
        return public_volunteers()


class DonorFamilyRegister(RegisterViewSet):
    """Compassion families: community, public name only with consent, joined, opinion leader, recruits."""

    register = register_cache.DONOR_FAMILIES
    serializer_class = DonorFamilyRowSerializer
    filterset_class = DonorFamilyFilter

    def get_queryset(self) -> QuerySet[CompassionFamily]:
        return public_donor_families()


class EnterpriseRegister(RegisterViewSet):
    """Assistant enterprises: community, name only with consent, since when, what they gave in sum."""

    register = register_cache.ENTERPRISES
    serializer_class = EnterpriseRowSerializer
    filterset_class = EnterpriseFilter

    def get_queryset(self) -> QuerySet[AssistantEnterprise]:
        return public_enterprises()


class MediaRegister(RegisterViewSet):
    """Media partners: community, name only with consent, kind of outlet, and their reports."""

    register = register_cache.MEDIA
    serializer_class = MediaRowSerializer
    filterset_class = MediaFilter

    def get_queryset(self) -> QuerySet[MediaPartner]:
        return public_media()

    def csv_header(self) -> list[str]:
        return [*(name for name in _fields(self.get_serializer()) if name != "coverage"), *COVERAGE_COLUMNS]

    def csv_rows(self, item: dict[str, Any]) -> Iterable[list[object]]:
        partner = [value for name, value in item.items() if name != "coverage"]
        # One line per report; a partner without a published report still has its line.
        reports = item["coverage"] or [{"published_on": None, "title": None, "url": None}]
        return [[*partner, report["published_on"], report["title"], report["url"]] for report in reports]


COVERAGE_COLUMNS = ("coverage_published_on", "coverage_title", "coverage_url")


class RecipientRegister(RegisterViewSet):
    """Recipient families, never one by one: households per community, month of application and
    vulnerability category; a count of 1 to 4 is suppressed (null), and no totals are published."""

    register = register_cache.RECIPIENT_FAMILIES
    serializer_class = RecipientRowSerializer
    filterset_class = RecipientFilter
    pagination_class = CellCursor

    def get_queryset(self) -> QuerySet[RecipientFamily]:
        return RecipientFamily.objects.all()

    def rows(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return recipient_cells(queryset)

    def present(self, rows: list[Any]) -> list[Any]:
        asked = self.request.query_params.get("category")
        categories = (asked,) if asked in CATEGORIES else CATEGORIES
        return [
            {
                "community_code": row["community__code"],
                "community_name": row["community__name"],
                "city": row["community__city"],
                "district": row["community__district"],
                "month": row["month"],
                "categories": published_cells(row, categories),
            }
            for row in rows
        ]

    def csv_header(self) -> list[str]:
        return ["community", "community_name", "city", "district", "month", "category", "households", "suppressed"]

    def csv_rows(self, item: dict[str, Any]) -> Iterable[list[object]]:
        place = [item["community"], item["community_name"], item["city"], item["district"], item["month"]]
        return [[*place, cell["category"], cell["households"], cell["suppressed"]] for cell in item["categories"]]


router = SimpleRouter()
router.register("volunteers", VolunteerRegister, basename="register-volunteers")
router.register("donor-families", DonorFamilyRegister, basename="register-donor-families")
router.register("assistant-enterprises", EnterpriseRegister, basename="register-assistant-enterprises")
router.register("media", MediaRegister, basename="register-media")
router.register("recipient-families", RecipientRegister, basename="register-recipient-families")
