"""How fast a centre's spreadsheet of households and residents imports, as CSV and as XLSX.

Builds a file of 10,000 rows (about 4,000 households, nine rows in ten with an ID number), then
reads it with `read_rows` and imports it with `import_households` into a new community of the
database named by DATABASE_URL, and prints the seconds each step takes.

    createdb -h 127.0.0.1 -U postgres yicang_import_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yicang_import_bench .venv/bin/python -m bench.import_households

Options: --rows N --runs N. Every run imports new residents with ID numbers never used before.
"""

import argparse
import csv
import io
import os
import statistics
import time
from datetime import date, timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yicang.settings")
django.setup()

import openpyxl  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from yicang.community.imports import import_households, plan_import, read_rows  # noqa: E402
from yicang.community.models import Community, Resident, User  # noqa: E402

HEADER = ["户名", "地址", "姓名", "性别", "出生年份", "身份证号"]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
SURNAMES = "王李张刘陈杨黄赵吴周"


def resident_id(serial: int) -> str:
    """A valid ID number of its own for each serial: area, birth date and sequence vary with it."""
    born = date(1930, 1, 1) + timedelta(days=(serial // 1000) % 20_000)
    first17 = f"{110101 + serial // 20_000_000:06d}{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def lines(count: int, first_serial: int) -> list[list[str]]:
    """`count` rows: households of 1 to 4 residents (2.5 on average), nine in ten with an ID number."""
    result: list[list[str]] = []
    household = 0
    while len(result) < count:
        surname = SURNAMES[household % len(SURNAMES)]
        for member in range(household % 4 + 1):
            n = len(result)
            if n == count:
                break
            number = resident_id(first_serial + n) if n % 10 else ""
            result.append(
                [
                    f"{surname}{household}家",
                    f"水井街{household // 20}号{household % 20 + 1}室",
                    f"{surname}居民{n}",
                    "男女"[member % 2],
                    "" if number else str(1940 + n % 60),
                    number,
                ]
            )
        household += 1
    return result


def csv_upload(rows: list[list[str]]) -> SimpleUploadedFile:
    text = io.StringIO()
    csv.writer(text).writerows([HEADER, *rows])
    return SimpleUploadedFile("households.csv", text.getvalue().encode("utf-8-sig"))


def xlsx_upload(rows: list[list[str]]) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append([int(value) if column == 4 and value else value for column, value in enumerate(row)])
    content = io.BytesIO()
    workbook.save(content)
    return SimpleUploadedFile("households.xlsx", content.getvalue())


def run(kind: str, count: int, by: User, label: str) -> dict[str, float]:
    serial = Resident.objects.count()
    rows = lines(count, serial)
    upload = csv_upload(rows) if kind == "csv" else xlsx_upload(rows)
    community = Community.objects.create(
        province="四川省", city="成都市", district="锦江区", street="水井坊街道", name=label, code=label
    )

    started = time.perf_counter()
    read = read_rows(upload)
    read_at = time.perf_counter()
    plan = plan_import(rows=read)
    checked_at = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = import_households(community=community, rows=read, by=by)
    imported_at = time.perf_counter()

    assert not plan.errors, plan.errors[:5]
    assert result.imported, result.errors[:5]
    assert result.residents_created == count, result
    validate = checked_at - read_at
    return {
        "size": len(upload),
        "households": result.households_created,
        "read": read_at - started,
        "validate": validate,
        "write": imported_at - checked_at - validate,
        "import": imported_at - checked_at,
        "total": read_at - started + imported_at - checked_at,
        "queries": len(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    by, _ = User.objects.get_or_create(username="bench-importer", defaults={"is_staff": True, "is_national": True})
    print(f"database: {connection.vendor}; {args.rows:,} rows per file, median of {args.runs} runs")
    print(
        f"\n{'file':<6} {'size KB':>8} {'households':>10} {'read s':>7} {'validate s':>10} {'write s':>8} "
        f"{'import s':>9} {'total s':>8} {'rows/s':>8} {'queries':>8}"
    )
    stamp = time.strftime("%Y%m%d%H%M%S")
    for kind in ("csv", "xlsx"):
        runs = [run(kind, args.rows, by, f"bench-import-{kind}-{stamp}-{n}") for n in range(args.runs)]
        figure = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        print(
            f"{kind:<6} {figure['size'] / 1024:>8.0f} {figure['households']:>10,.0f} {figure['read']:>7.2f} "
            f"{figure['validate']:>10.2f} {figure['write']:>8.2f} {figure['import']:>9.2f} {figure['total']:>8.2f} "
            f"{args.rows / figure['total']:>8,.0f} {figure['queries']:>8.0f}"
        )


if __name__ == "__main__":
    main()
