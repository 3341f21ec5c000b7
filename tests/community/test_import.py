"""Bulk import of households and residents from CSV and XLSX: all rows or none."""

import csv
import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.contrib.messages import ERROR, SUCCESS
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from tests.clients import signed_in
from tests.factories import CommunityFactory, HouseholdFactory, ResidentFactory, staff_of
from yicang.community import imports
from yicang.community.imports import ImportFileError, ImportResult, RowError, import_households, read_rows
from yicang.community.models import Community, Household, Resident, StaffMembership, User
from yicang.community.services import set_id_number
from yicang.core.crypto import keyed_hash, unseal

pytestmark = pytest.mark.django_db

ZH = ["户名", "地址", "姓名", "性别", "出生年份", "身份证号"]
EN = ["household", "address", "name", "gender", "birth_year", "id_number"]
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(first17: str) -> str:
    """A valid ID number: the 17 digits and their check character (GB 11643, as identity.py checks it)."""
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


ID_1956 = resident_id("51010419560101001")
ID_1978 = resident_id("51010419781224002")
ID_2015 = resident_id("51010420150630003")


def csv_file(lines: list[list[str]], *, encoding: str = "utf-8", name: str = "households.csv") -> SimpleUploadedFile:
    text = io.StringIO()
    csv.writer(text).writerows(lines)
    return SimpleUploadedFile(name, text.getvalue().encode(encoding))


def xlsx_file(lines: list[list[object]]) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for line in lines:
        sheet.append(line)
    content = io.BytesIO()
    workbook.save(content)
    return SimpleUploadedFile("households.xlsx", content.getvalue())


def row(household: str, address: str, name: str = "", gender: str = "", year: str = "", number: str = "") -> list[str]:
    return [household, address, name, gender, year, number]


def nothing_written(community: Community) -> bool:
    return not Household.objects.filter(community=community).exists() and not Resident.objects.exists()


@pytest.fixture
def community() -> Community:
    return CommunityFactory(name="水井坊社区")


@pytest.fixture
def importer(community: Community) -> User:
    return staff_of(community, username="importer")


def test_a_csv_file_imports_its_households_and_residents(community: Community, importer: User) -> None:
    upload = csv_file(
        [
            ZH,
            row("王家", "水井街1号", "王秀英", "女", "1956", ID_1956),
            row("王家", "水井街1号", "王建国", "男", "", ID_1978),
            row("李家", "水井街2号"),
            row("王家", "水井街1号", "王小明", "", "2015"),
        ]
    )

    result = import_households(community=community, rows=read_rows(upload), by=importer)

    assert result == ImportResult(households_created=2, households_reused=0, residents_created=3)
    assert list(Household.objects.order_by("pk").values_list("community", "name", "address")) == [
        (community.pk, "王家", "水井街1号"),
        (community.pk, "李家", "水井街2号"),
    ]
    residents = list(Resident.objects.order_by("pk"))
    assert [(r.community_id, r.household.name, r.name, r.gender, r.birth_year) for r in residents] == [
        (community.pk, "王家", "王秀英", "female", 1956),
        (community.pk, "王家", "王建国", "male", 1978),
        (community.pk, "王家", "王小明", "unspecified", 2015),
    ]
    first, second, third = residents
    assert unseal(first.id_number_sealed) == ID_1956
    assert first.id_number_hash == keyed_hash(ID_1956)
    assert first.id_number_last4 == ID_1956[-4:]
    assert first.id_verified_by == importer
    assert first.id_verified_at == first.created_at  # the moment of the import
    assert unseal(second.id_number_sealed) == ID_1978
    assert (third.id_number_sealed, third.id_number_hash, third.id_number_last4) == ("", None, "")
    assert (third.id_verified_by, third.id_verified_at) == (None, None)


def test_an_xlsx_file_imports_with_english_headers(community: Community, importer: User) -> None:
    upload = xlsx_file(
        [
            ["Household", "Address", "Name", "Gender", "Birth year", "ID number"],
            ["张家", "水井街3号", "张桂兰", "Female", 1949, None],
            ["张家", "水井街3号", "张伟", "male", None, ID_1978],
            [None, None, None, None, None, None],
        ]
    )

    rows = read_rows(upload)
    result = import_households(community=community, rows=rows, by=importer)

    assert rows == [
        {
            "household": "张家",
            "address": "水井街3号",
            "name": "张桂兰",
            "gender": "Female",
            "birth_year": "1949",
            "id_number": "",
        },
        {
            "household": "张家",
            "address": "水井街3号",
            "name": "张伟",
            "gender": "male",
            "birth_year": "",
            "id_number": ID_1978,
        },
    ]
    assert result == ImportResult(households_created=1, households_reused=0, residents_created=2)
    assert list(Resident.objects.order_by("pk").values_list("household__name", "name", "gender", "birth_year")) == [
        ("张家", "张桂兰", "female", 1949),
        ("张家", "张伟", "male", 1978),
    ]


def test_every_row_error_is_listed_and_nothing_is_imported(community: Community, importer: User) -> None:
    mistyped = ID_1956[:17] + ("1" if ID_1956[17] == "0" else "0")
    upload = csv_file(
        [
            ZH,
            row("", "水井街1号", "王秀英", "女", "1956"),
            row("王家", "水井街1号", "王建国", "M"),
            row("王家", "水井街1号", "王小明", "男", "一九五六"),
            row("王家", "水井街1号", "王老太", "女", "1850"),
            row("王家", "水井街1号", "王大伟", "男", "", mistyped),
            row("李家", "水井街2号", "李娟", "女", "1980", ID_1978),
            row("", ""),
            row("张家", "", "", "", "", ID_2015),
            row("赵家", "水井街4号", "赵" * 81, "XX", "", "123"),
        ]
    )

    with override("en"):
        result = import_households(community=community, rows=read_rows(upload), by=importer)

    this_year = timezone.localdate().year
    assert result.errors == (
        RowError(2, "household", "The household name is missing."),
        RowError(3, "gender", "Write 男 or 女 (or male or female), or leave it empty; not “M”."),
        RowError(4, "birth_year", "The birth year must be a number such as 1956, not “一九五六”."),
        RowError(5, "birth_year", f"The birth year must be between 1900 and {this_year}."),
        RowError(6, "id_number", "The last character does not match the others: the number was probably mistyped."),
        RowError(9, "name", "The row gives a resident's details but not their name."),
        RowError(10, "name", "This is 81 characters long; at most 80 are allowed."),
        RowError(10, "gender", "Write 男 or 女 (or male or female), or leave it empty; not “XX”."),
        RowError(10, "id_number", "A resident ID number has 18 characters: 17 digits, then a digit or X."),
    )
    assert (result.households_created, result.households_reused, result.residents_created) == (0, 0, 0)
    assert not result.imported
    assert nothing_written(community)


def test_the_same_id_number_twice_in_the_file_names_both_rows(community: Community, importer: User) -> None:
    spaced = f"{ID_1956[:6]} {ID_1956[6:14]} {ID_1956[14:]}"
    rows = read_rows(
        csv_file(
            [
                ZH,
                row("王家", "水井街1号", "王秀英", "女", "", ID_1956),
                row("王家", "水井街1号", "王建国", "男", "", ID_1978),
                row("李家", "水井街2号", "李秀英", "女", "", spaced),
            ]
        )
    )

    with override("en"):
        result = import_households(community=community, rows=rows, by=importer)

    assert result.errors == (RowError(4, "id_number", "Rows 2 and 4 have the same ID number."),)
    assert nothing_written(community)


def test_an_id_number_already_registered_anywhere_is_an_error(community: Community, importer: User) -> None:
    elsewhere = ResidentFactory(name="另一个社区的居民")
    set_id_number(resident=elsewhere, number=ID_1978, by=importer)
    rows = read_rows(
        csv_file(
            [
                ZH,
                row("王家", "水井街1号", "王秀英", "女", "", ID_1956),
                row("王家", "水井街1号", "王建国", "男", "", ID_1978),
            ]
        )
    )

    with override("en"):
        result = import_households(community=community, rows=rows, by=importer)

    assert result.errors == (RowError(3, "id_number", "This ID number is already registered to another resident."),)
    assert not Household.objects.filter(community=community).exists()
    assert list(Resident.objects.values_list("name", flat=True)) == ["另一个社区的居民"]


def test_a_household_already_in_the_community_is_added_to(community: Community, importer: User) -> None:
    existing = HouseholdFactory(community=community, name="王家", address="水井街1号")
    HouseholdFactory(name="李家", address="水井街2号")  # the same name and address in another community
    rows = read_rows(csv_file([ZH, row("王家", "水井街1号", "王秀英", "女"), row("李家", "水井街2号", "李娟", "女")]))

    result = import_households(community=community, rows=rows, by=importer)

    assert result == ImportResult(households_created=1, households_reused=1, residents_created=2)
    assert Household.objects.filter(community=community).count() == 2
    assert list(Resident.objects.order_by("pk").values_list("name", "household__community", "household")) == [
        ("王秀英", community.pk, existing.pk),
        ("李娟", community.pk, Household.objects.get(community=community, name="李家").pk),
    ]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_csv_saved_by_excel_in_gb18030_or_utf8_with_bom_is_read(encoding: str) -> None:
    upload = csv_file([ZH, row("王家", "水井街1号", "王秀英", "女", "1956")], encoding=encoding)

    rows = read_rows(upload)

    assert rows == [
        {
            "household": "王家",
            "address": "水井街1号",
            "name": "王秀英",
            "gender": "女",
            "birth_year": "1956",
            "id_number": "",
        }
    ]


def test_blank_rows_keep_the_row_numbers_the_user_sees(community: Community, importer: User) -> None:
    upload = xlsx_file([ZH, ["王家", "水井街1号", "王秀英", "女"], [], [], ["李家", "水井街2号", "李娟", "X"], [], []])

    rows = read_rows(upload)
    with override("en"):
        result = import_households(community=community, rows=rows, by=importer)

    assert len(rows) == 4
    assert [(error.row, error.column) for error in result.errors] == [(5, "gender")]


def test_unknown_and_missing_columns_are_one_file_error() -> None:
    upload = csv_file([["户名", "电话", "姓名"], ["王家", "13800000000", "王秀英"]])

    with override("en"), pytest.raises(ImportFileError) as raised:
        read_rows(upload)

    assert raised.value.message == (
        "Unknown columns: 电话. Missing columns: 地址, 性别. The first row must name the columns: 户名 (household), "
        "地址 (address), 姓名 (name), 性别 (gender), 出生年份 (birth_year), 身份证号 (id_number); "
        "the last two may be left out."
    )


def test_a_file_of_another_kind_is_refused() -> None:
    with override("en"), pytest.raises(ImportFileError) as raised:
        read_rows(SimpleUploadedFile("households.xls", b"\xd0\xcf\x11\xe0"))

    assert raised.value.message == "Upload a .csv or .xlsx file."


def test_a_damaged_workbook_is_a_file_error() -> None:
    with override("en"), pytest.raises(ImportFileError) as raised:
        read_rows(SimpleUploadedFile("households.xlsx", b"not a zip file"))

    assert raised.value.message == "The file could not be read as an Excel workbook (.xlsx)."


def test_a_file_with_too_many_rows_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    upload = csv_file([ZH, *[row(f"家{n}", "街") for n in range(3)]])

    with override("en"), pytest.raises(ImportFileError) as raised:
        read_rows(upload)

    assert raised.value.message == "The file has more than 2 rows; split it into smaller files."


def _rows(count: int, *, first: int = 0) -> list[dict[str, str]]:
    """`count` valid rows, three residents to a household, each with an ID number of their own."""
    lines = []
    for n in range(first, first + count):
        born = date(1950, 1, 1) + timedelta(days=n)
        number = resident_id(f"510104{born:%Y%m%d}{n % 1000:03d}")
        lines.append(row(f"家{n // 3}", f"街{n // 3}号", f"居民{n}", "女", "", number))
    return [dict(zip(imports.COLUMNS, line, strict=True)) for line in lines]


def test_the_number_of_queries_does_not_grow_with_the_rows(
    postgres: None, community: Community, importer: User
) -> None:
    small, large = CommunityFactory(), CommunityFactory()

    with CaptureQueriesContext(connection) as twenty:
        small_result = import_households(community=small, rows=_rows(20), by=importer)
    with CaptureQueriesContext(connection) as two_hundred:
        large_result = import_households(community=large, rows=_rows(200, first=20), by=importer)

    assert (small_result.households_created, small_result.residents_created) == (7, 20)
    assert (large_result.households_created, large_result.residents_created) == (68, 200)
    # A savepoint, the registered ID numbers, the existing households, two inserts, the release.
    assert len(twenty) == len(two_hundred) == 6


# The admin page. The interface is Chinese by default: these assert on status, data and context.


def test_staff_import_a_file_through_the_admin(community: Community, importer: User) -> None:
    upload = csv_file([ZH, row("王家", "水井街1号", "王秀英", "女", "", ID_1956), row("李家", "水井街2号")])

    response = signed_in(importer).post(
        reverse("admin:community_household_import"), {"community": community.pk, "file": upload}, follow=True
    )

    assert response.redirect_chain == [(reverse("admin:community_household_changelist"), 302)]
    assert [message.level for message in response.context["messages"]] == [SUCCESS]
    assert list(Household.objects.order_by("pk").values_list("community", "name")) == [
        (community.pk, "王家"),
        (community.pk, "李家"),
    ]
    assert Resident.objects.get().id_verified_by == importer


def test_the_admin_lists_row_errors_and_imports_nothing(community: Community, importer: User) -> None:
    upload = csv_file([ZH, row("王家", "水井街1号", "王秀英", "女"), row("", "水井街2号", "李娟", "男", "1850")])

    response = signed_in(importer).post(
        reverse("admin:community_household_import"), {"community": community.pk, "file": upload}
    )

    assert response.status_code == 200
    assert [(error.row, error.column) for error in response.context["errors"]] == [(3, "household"), (3, "birth_year")]
    assert [message.level for message in response.context["messages"]] == [ERROR]
    assert nothing_written(community)


def test_a_file_error_is_shown_on_the_form(community: Community, importer: User) -> None:
    upload = csv_file([["户名", "姓名"], ["王家", "王秀英"]])

    response = signed_in(importer).post(
        reverse("admin:community_household_import"), {"community": community.pk, "file": upload}
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["file"]
    assert nothing_written(community)


def test_the_admin_refuses_a_file_that_is_not_csv_or_xlsx(community: Community, importer: User) -> None:
    upload = SimpleUploadedFile("households.txt", "户名,地址,姓名,性别\n王家,水井街1号,,\n".encode())

    response = signed_in(importer).post(
        reverse("admin:community_household_import"), {"community": community.pk, "file": upload}
    )

    assert response.status_code == 200
    assert [error.code for error in response.context["form"].errors.as_data()["file"]] == ["file_type"]
    assert nothing_written(community)


def test_staff_cannot_import_into_another_community(community: Community, importer: User) -> None:
    other = CommunityFactory(name="交子社区")
    upload = csv_file([ZH, row("王家", "交子街1号", "王秀英", "女")])

    client = signed_in(importer)
    offered = client.get(reverse("admin:community_household_import")).context["form"].fields["community"]
    response = client.post(reverse("admin:community_household_import"), {"community": other.pk, "file": upload})

    assert (list(offered.queryset), offered.initial) == ([community], community.pk)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["community"]
    assert not Household.objects.exists()
    assert not Resident.objects.exists()


def test_staff_without_permission_to_add_cannot_import(community: Community) -> None:
    warehouse = staff_of(community, role=StaffMembership.Role.WAREHOUSE)
    upload = csv_file([ZH, row("王家", "水井街1号", "王秀英", "女")])
    client = signed_in(warehouse)

    shown = client.get(reverse("admin:community_household_import"))
    posted = client.post(reverse("admin:community_household_import"), {"community": community.pk, "file": upload})

    assert (shown.status_code, posted.status_code) == (403, 403)
    assert nothing_written(community)


def test_the_changelist_offers_import_to_staff_who_may_add(community: Community, importer: User) -> None:
    warehouse = staff_of(community, role=StaffMembership.Role.WAREHOUSE)
    changelist = reverse("admin:community_household_changelist")
    link = f'href="{reverse("admin:community_household_import")}"'

    assert link in signed_in(importer).get(changelist).content.decode()
    assert link not in signed_in(warehouse).get(changelist).content.decode()
