"""Bulk import of households and residents from a spreadsheet (CSV or XLSX), all or nothing.

`read_rows()` turns an uploaded file into rows keyed by column; `import_households()` checks every
row, and writes nothing unless all of them are right, so a centre can correct its spreadsheet and
upload it again without first cleaning up half an import.
"""

import csv
import io
import zipfile
from collections.abc import Generator, Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime

import openpyxl
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils.exceptions import InvalidFileException

from yicang.community.identity import ResidentId, parse_resident_id
from yicang.community.models import Community, Household, Resident, User
from yicang.core.crypto import keyed_hash, seal
from yicang.core.exceptions import Conflict, DomainError

SUFFIXES = (".csv", ".xlsx")

# A larger file takes longer than a web request should; a centre can split it.
MAX_ROWS = 20_000

COLUMNS = ("household", "address", "name", "gender", "birth_year", "id_number")
REQUIRED_COLUMNS = ("household", "address", "name", "gender")

# The header a spreadsheet may use for each column: Chinese as centres write it, or English.
HEADERS: dict[str, tuple[str, ...]] = {
    "household": ("户名", "household"),
    "address": ("地址", "address"),
    "name": ("姓名", "name"),
    "gender": ("性别", "gender"),
    "birth_year": ("出生年份", "birth_year"),
    "id_number": ("身份证号", "身份证号码", "id_number"),
}
_COLUMN_OF_HEADER = {header: column for column, headers in HEADERS.items() for header in headers}

COLUMN_LABELS = {
    "household": gettext_lazy("household name"),
    "address": gettext_lazy("address"),
    "name": gettext_lazy("name"),
    "gender": gettext_lazy("gender"),
    "birth_year": gettext_lazy("birth year"),
    "id_number": gettext_lazy("resident ID number"),
}

# The model's max_length of each text column: a longer value would only fail at the INSERT.
_LENGTH_LIMITS = {"household": 80, "address": 200, "name": 80}

_GENDERS = {
    "": Resident.Gender.UNSPECIFIED,
    "男": Resident.Gender.MALE,
    "女": Resident.Gender.FEMALE,
    "male": Resident.Gender.MALE,
    "female": Resident.Gender.FEMALE,
}

_FIRST_BIRTH_YEAR = 1900  # as the resident_birth_year_plausible constraint has it


class ImportFileError(DomainError):
    """The file as a whole cannot be imported: not readable, or its columns are wrong."""


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str  # one of COLUMNS
    message: str

    @property
    def column_label(self) -> str:
        return str(COLUMN_LABELS[self.column])


@dataclass(frozen=True)
class ImportResult:
    errors: tuple[RowError, ...] = ()
    households_created: int = 0
    households_reused: int = 0
    residents_created: int = 0

    @property
    def imported(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True)
class _ResidentRow:
    row: int
    household: tuple[str, str]
    name: str
    gender: str
    birth_year: int | None
    resident_id: ResidentId | None
    id_hash: str | None


@dataclass
class ImportPlan:
    """What a file would import, or why it cannot: the outcome of checking it, before any write."""

    errors: list[RowError] = field(default_factory=list)
    # (name, address) of each household in the order of the file.
    households: dict[tuple[str, str], None] = field(default_factory=dict)
    residents: list[_ResidentRow] = field(default_factory=list)


def read_rows(uploaded_file: UploadedFile) -> list[dict[str, str]]:
    """The rows of an uploaded .csv or .xlsx file, each keyed by every one of COLUMNS.

    The first row (of the first sheet) names the columns, in Chinese or English (HEADERS). Blank
    rows are kept as rows of empty values, so `rows[i]` is always the spreadsheet's row i + 2 and
    error messages can name the row the user sees; blank rows at the end are dropped.
    Raises ImportFileError when the file cannot be read or its columns are wrong.
    """
    name = (uploaded_file.name or "").lower()
    if name.endswith(".csv"):
        cells = _csv_cells(uploaded_file.read())
    elif name.endswith(".xlsx"):
        cells = _xlsx_cells(uploaded_file)
    else:
        raise ImportFileError(_("Upload a .csv or .xlsx file."))
    with closing(cells):
        header = next(cells, None)
        if header is None or not any(header):
            raise ImportFileError(_("The file is empty: its first row must name the columns."))
        positions = _positions(header)
        rows: list[dict[str, str]] = []
        blank = 0
        for values in cells:
            row = dict.fromkeys(COLUMNS, "")
            for index, column in positions:
                if index < len(values):
                    row[column] = values[index]
            if not any(row.values()):
                blank += 1
                continue
            rows.extend(dict.fromkeys(COLUMNS, "") for _blank in range(blank))
            blank = 0
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise ImportFileError(
                    _("The file has more than %(limit)s rows; split it into smaller files.") % {"limit": MAX_ROWS}
                )
    if not rows:
        raise ImportFileError(_("The file has no rows under its header."))
    return rows


def _csv_cells(data: bytes) -> Generator[list[str], None, None]:
    # UTF-8 first: GB18030 decodes almost any bytes, UTF-8 text included, into nonsense.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(
            _("The file is not text in UTF-8 or GB18030. Save it as “CSV UTF-8”, or upload the .xlsx workbook.")
        )
    try:
        for values in csv.reader(io.StringIO(text, newline="")):
            yield [value.strip() for value in values]
    except csv.Error:
        raise ImportFileError(_("The file could not be read as CSV.")) from None


def _xlsx_cells(uploaded_file: UploadedFile) -> Generator[list[str], None, None]:
    # A damaged workbook, or another file renamed .xlsx, fails in any of these ways.
    unreadable = (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError)
    try:
        workbook = openpyxl.load_workbook(uploaded_file, read_only=True, data_only=True)
    except unreadable:
        raise ImportFileError(_("The file could not be read as an Excel workbook (.xlsx).")) from None
    try:
        sheet = workbook.worksheets[0]
        # Some programs (WPS among them) write a wrong used range; without it every row is read.
        sheet.reset_dimensions()
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
    except unreadable:
        raise ImportFileError(_("The file could not be read as an Excel workbook (.xlsx).")) from None
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel keeps every number as a float: a birth year typed as 1956 may come back as 1956.0.
        return str(int(value))
    return str(value).strip()


def _positions(header: list[str]) -> list[tuple[int, str]]:
    positions: list[tuple[int, str]] = []
    unknown: list[str] = []
    for index, text in enumerate(header):
        if not text:
            continue
        column = _COLUMN_OF_HEADER.get(text.lower().replace(" ", "_"))
        if column is None:
            unknown.append(text)
        else:
            positions.append((index, column))
    found = [column for _index, column in positions]
    missing = [HEADERS[column][0] for column in REQUIRED_COLUMNS if column not in found]
    twice = sorted({HEADERS[column][0] for column in found if found.count(column) > 1})
    problems = []
    if unknown:
        problems.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    if missing:
        problems.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if twice:
        problems.append(_("Columns named twice: %(columns)s.") % {"columns": ", ".join(twice)})
    if problems:
        expected = ", ".join(f"{HEADERS[column][0]} ({HEADERS[column][-1]})" for column in COLUMNS)
        problems.append(
            _("The first row must name the columns: %(columns)s; the last two may be left out.") % {"columns": expected}
        )
        raise ImportFileError(" ".join(problems))
    return positions


def plan_import(*, rows: Iterable[Mapping[str, str]]) -> ImportPlan:
    """Check the rows of an import and collect every problem; writes nothing.

    Rows are keyed by COLUMNS (as `read_rows` gives them; a missing key counts as empty) and the
    first is the spreadsheet's row 2. Runs one query, for the ID numbers already registered.
    """
    this_year = timezone.localdate().year
    plan = ImportPlan()
    row_of_number: dict[str, int] = {}
    for index, raw in enumerate(rows):
        line = index + 2
        values = {column: (raw.get(column) or "").strip() for column in COLUMNS}
        if not any(values.values()):
            continue
        resident = _check_row(line, values, this_year, plan.errors)
        if resident is None:
            continue
        if resident.resident_id is not None:
            first = row_of_number.setdefault(resident.resident_id.number, line)
            if first != line:
                plan.errors.append(
                    RowError(
                        line,
                        "id_number",
                        _("Rows %(first)s and %(second)s have the same ID number.") % {"first": first, "second": line},
                    )
                )
                continue
        plan.households.setdefault(resident.household, None)
        if resident.name:
            plan.residents.append(resident)

    hashes = [resident.id_hash for resident in plan.residents if resident.id_hash is not None]
    if hashes:
        registered = set(Resident.objects.filter(id_number_hash__in=hashes).values_list("id_number_hash", flat=True))
        # Says no more than that, as set_id_number: staff must not learn who is registered elsewhere.
        plan.errors.extend(
            RowError(resident.row, "id_number", _("This ID number is already registered to another resident."))
            for resident in plan.residents
            if resident.id_hash in registered
        )
    plan.errors.sort(key=lambda error: (error.row, COLUMNS.index(error.column)))
    return plan


def _check_row(line: int, values: dict[str, str], this_year: int, errors: list[RowError]) -> _ResidentRow | None:
    """The row's resident (or bare household, when it names no resident); None when it has errors."""
    found: list[RowError] = []
    if not values["household"]:
        found.append(RowError(line, "household", _("The household name is missing.")))
    for column, limit in _LENGTH_LIMITS.items():
        if len(values[column]) > limit:
            found.append(
                RowError(
                    line,
                    column,
                    _("This is %(length)s characters long; at most %(limit)s are allowed.")
                    % {"length": len(values[column]), "limit": limit},
                )
            )
    if not values["name"] and (values["gender"] or values["birth_year"] or values["id_number"]):
        found.append(RowError(line, "name", _("The row gives a resident's details but not their name.")))
    gender = _GENDERS.get(values["gender"].lower())
    if gender is None:
        found.append(
            RowError(
                line,
                "gender",
                _("Write 男 or 女 (or male or female), or leave it empty; not “%(value)s”.")
                % {"value": values["gender"]},
            )
        )
    birth_year = None
    if values["birth_year"]:
        if not values["birth_year"].isdecimal():
            found.append(
                RowError(
                    line,
                    "birth_year",
                    _("The birth year must be a number such as 1956, not “%(value)s”.")
                    % {"value": values["birth_year"]},
                )
            )
        elif not _FIRST_BIRTH_YEAR <= int(values["birth_year"]) <= this_year:
            found.append(
                RowError(
                    line,
                    "birth_year",
                    _("The birth year must be between %(first)s and %(last)s.")
                    % {"first": _FIRST_BIRTH_YEAR, "last": this_year},
                )
            )
        else:
            birth_year = int(values["birth_year"])
    resident_id = None
    if values["id_number"]:
        try:
            resident_id = parse_resident_id(values["id_number"])
        except ValidationError as error:
            found.append(RowError(line, "id_number", error.messages[0]))
    if found:
        errors.extend(found)
        return None
    return _ResidentRow(
        row=line,
        household=(values["household"], values["address"]),
        name=values["name"],
        gender=gender or Resident.Gender.UNSPECIFIED,
        # The number's own birth date is the verified one.
        birth_year=resident_id.birth_date.year if resident_id is not None else birth_year,
        resident_id=resident_id,
        id_hash=keyed_hash(resident_id.number) if resident_id is not None else None,
    )


@transaction.atomic
def import_households(*, community: Community, rows: Iterable[Mapping[str, str]], by: User) -> ImportResult:
    """Import the households and residents of a spreadsheet's rows into `community`, all or nothing.

    Rows that share a household name and address are one household; a row without a resident's
    name adds only the household. A household of that name and address already in the community
    is added to, not made again (counted in `households_reused`). Residents with an ID number are
    recorded as verified by `by`, the number sealed and hashed as `set_id_number` does.
    When any row has a problem the result lists them all and nothing is written. The number of
    queries does not depend on the number of rows.
    """
    plan = plan_import(rows=rows)
    if plan.errors:
        return ImportResult(errors=tuple(plan.errors))

    household_ids: dict[tuple[str, str], int] = {}
    existing = (
        Household.objects.in_community(community)
        .filter(name__in={name for name, _address in plan.households})
        .order_by("pk")
        .values_list("name", "address", "pk")
    )
    for name, address, pk in existing:
        # Two households already sharing a name and address: the older one is taken.
        household_ids.setdefault((name, address), pk)
    reused = sum(1 for key in plan.households if key in household_ids)
    new_households = Household.objects.bulk_create(
        [
            Household(community=community, name=name, address=address)
            for name, address in plan.households
            if (name, address) not in household_ids
        ]
    )
    household_ids.update({(household.name, household.address): household.pk for household in new_households})

    now = timezone.now()
    try:
        residents = Resident.objects.bulk_create(
            [
                _resident(row, community=community, household_id=household_ids[row.household], by=by, now=now)
                for row in plan.residents
            ]
        )
    except IntegrityError:
        # Only the unique ID-number hash can clash here: someone registered one of them since the check.
        raise Conflict(
            _("One of these ID numbers was registered meanwhile; nothing was imported. Upload the file again.")
        ) from None
    return ImportResult(
        households_created=len(new_households), households_reused=reused, residents_created=len(residents)
    )


def _resident(row: _ResidentRow, *, community: Community, household_id: int, by: User, now: datetime) -> Resident:
    resident = Resident(
        community=community,
        household_id=household_id,
        name=row.name,
        gender=row.gender,
        birth_year=row.birth_year,
        created_at=now,
    )
    if row.resident_id is not None:
        resident.id_number_sealed = seal(row.resident_id.number)
        resident.id_number_hash = row.id_hash
        resident.id_number_last4 = row.resident_id.last4
        resident.id_verified_at = now
        resident.id_verified_by = by
    return resident
