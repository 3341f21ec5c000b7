import csv
import io
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from tests.clients import signed_in
from tests.factories import UserFactory, staff_of
from tests.reports.world import CHENGDU, FIRST, build_world
from yicang.core.months import add_months, this_month
from yicang.reports.models import ReportRequest
from yicang.reports.services import BadReportRequest, request_report
from yicang.reports.statistics import refresh_statistics
from yicang.reports.tasks import render_report

pytestmark = pytest.mark.django_db
THIS = f"{this_month():%Y-%m}"
LAST = f"{add_months(this_month(), -1):%Y-%m}"


@pytest.fixture(autouse=True)
def _media(settings: LazySettings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def counted() -> object:
    world = build_world()
    refresh_statistics(this_month())
    return world


def _ask(client: object, django_capture_on_commit_callbacks: object, **fields: object) -> object:
    data = {"first_month": LAST, "last_month": THIS, "formats": ["pdf", "xlsx", "csv"]} | fields
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        return client.post(reverse("reports:staff-reports"), data, HTTP_ACCEPT_LANGUAGE="en")  # type: ignore[attr-defined]


def test_a_manager_asks_for_a_community_report_and_downloads_all_three_files(
    counted: object, django_capture_on_commit_callbacks: object
) -> None:
    manager = staff_of(counted.first)  # type: ignore[attr-defined]
    client = signed_in(manager)

    response = _ask(client, django_capture_on_commit_callbacks, community="shuijingfang")

    assert response.status_code == 302  # type: ignore[attr-defined]
    report = ReportRequest.objects.get()
    assert (report.status, report.done_count, report.total, report.error) == ("done", 6, 6, "")
    assert (report.scope, report.community, report.city, report.requested_by) == (
        "community",
        counted.first,  # type: ignore[attr-defined]
        "",
        manager,
    )
    assert report.finished_at is not None

    text = b"".join(client.get(reverse("reports:report-file", args=[report.pk, "csv"])).streaming_content)
    assert text.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert lines[0][:3] == ["Place", "Month", "Communities"]
    assert lines[1] == ["水井坊社区", LAST] + [""] * 17  # last month was not counted
    assert lines[2] == ["水井坊社区", THIS, *[str(v) for v in list(FIRST.values())[:14]], "1.5", "50.00", "12.00"]
    assert len(lines) == 3

    xlsx = b"".join(client.get(reverse("reports:report-file", args=[report.pk, "xlsx"])).streaming_content)
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert (rows[0][0], rows[1][0]) == ("Yicang statistics: 水井坊社区", f"{LAST} – {THIS}")
    assert rows[4][:5] == ("水井坊社区", THIS, 1, 3, 1)
    assert rows[4][-3:] == (1.5, 50, 12)

    pdf = client.get(reverse("reports:report-file", args=[report.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_national_staff_ask_for_a_city_report_with_its_communities(
    counted: object, django_capture_on_commit_callbacks: object
) -> None:
    client = signed_in(UserFactory(national=True, is_superuser=True))

    _ask(client, django_capture_on_commit_callbacks, city="四川省|成都市", first_month=THIS, formats=["csv"])

    report = ReportRequest.objects.get()
    assert (report.status, report.done_count, report.total, report.pdf.name, report.xlsx.name) == (
        "done",
        3,
        3,
        "",
        "",
    )
    text = b"".join(client.get(reverse("reports:report-file", args=[report.pk, "csv"])).streaming_content)
    lines = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert [line[:2] for line in lines[1:]] == [["四川省 成都市", THIS], ["交子社区", THIS], ["水井坊社区", THIS]]
    assert lines[1][2:4] == [str(CHENGDU["communities"]), str(CHENGDU["households"])]
    assert client.get(reverse("reports:report-file", args=[report.pk, "pdf"])).status_code == 404


def test_another_communitys_report_and_a_citys_report_are_404_to_centre_staff(
    counted: object, django_capture_on_commit_callbacks: object
) -> None:
    _ask(signed_in(staff_of(counted.first)), django_capture_on_commit_callbacks, community="shuijingfang")  # type: ignore[attr-defined]
    _ask(
        signed_in(UserFactory(national=True, is_superuser=True)),
        django_capture_on_commit_callbacks,
        city="四川省|成都市",
    )
    own, city = ReportRequest.objects.order_by("pk")
    other = signed_in(staff_of(counted.second))  # type: ignore[attr-defined]

    for report in (own, city):
        for fmt in ("pdf", "xlsx", "csv"):
            assert other.get(reverse("reports:report-file", args=[report.pk, fmt])).status_code == 404
    page = other.get(reverse("reports:staff-reports"))
    assert page.status_code == 200
    assert list(page.context["reports"]) == []
    assert signed_in(UserFactory()).get(reverse("reports:report-file", args=[own.pk, "csv"])).status_code == 302


def test_centre_staff_cannot_ask_for_another_community_nor_a_city(
    counted: object, django_capture_on_commit_callbacks: object
) -> None:
    manager = staff_of(counted.first)  # type: ignore[attr-defined]
    client = signed_in(manager)

    response = _ask(client, django_capture_on_commit_callbacks, community="jiaozi")
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "community" in response.context["form"].errors  # type: ignore[attr-defined]
    with pytest.raises(BadReportRequest, match="Only national staff"):
        request_report(
            by=manager, city="四川省|成都市", first_month=this_month(), last_month=this_month(), formats=["csv"]
        )
    assert not ReportRequest.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"first_month": THIS, "last_month": LAST}, "period of past months"),
        ({"last_month": f"{add_months(this_month(), 1):%Y-%m}"}, "period of past months"),
        ({"first_month": f"{add_months(this_month(), -60):%Y-%m}"}, "at most 60 months"),
        ({"community": ""}, "Choose a community or a city"),
    ],
)
def test_a_bad_request_is_refused_and_nothing_is_queued(
    counted: object, django_capture_on_commit_callbacks: object, fields: dict[str, str], message: str
) -> None:
    client = signed_in(staff_of(counted.first))  # type: ignore[attr-defined]
    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
        response = client.post(
            reverse("reports:staff-reports"),
            {"community": "shuijingfang", "first_month": LAST, "last_month": THIS, "formats": ["csv"]} | fields,
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert callbacks == []
    assert not ReportRequest.objects.exists()


def test_a_failure_marks_the_report_failed_and_a_rerun_finishes_it(
    counted: object, django_capture_on_commit_callbacks: object, settings: LazySettings, tmp_path: Path
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the media directory should be")
    settings.MEDIA_ROOT = blocked
    manager = staff_of(counted.first)  # type: ignore[attr-defined]

    with pytest.raises(OSError, match="blocked"), django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        request_report(
            by=manager,
            community=counted.first,
            first_month=this_month(),
            last_month=this_month(),
            formats=["csv"],  # type: ignore[attr-defined]
        )

    failed = ReportRequest.objects.get()
    assert (failed.status, failed.csv.name, failed.finished_at) == ("failed", "", None)
    assert "blocked" in failed.error
    settings.MEDIA_ROOT = tmp_path / "media"
    render_report(report_id=failed.pk)
    assert ReportRequest.objects.values_list("status", "done_count", "total", "error").get() == ("done", 1, 1, "")
    render_report(report_id=failed.pk)  # done: left as it is
    assert ReportRequest.objects.get().csv.name == f"reports/report-{failed.pk}.csv"


def test_the_list_shows_progress_and_is_pinned(
    counted: object, django_capture_on_commit_callbacks: object, django_assert_num_queries: object
) -> None:
    manager = staff_of(counted.first)  # type: ignore[attr-defined]
    client = signed_in(manager)
    for _ in range(3):
        _ask(client, django_capture_on_commit_callbacks, community="shuijingfang")
    ReportRequest.objects.create(
        scope="community",
        community=counted.first,  # type: ignore[attr-defined]
        first_month=this_month(),
        last_month=this_month(),
        requested_by=manager,
        status="rendering",
        done_count=1,
        total=4,
    )

    with django_assert_num_queries(6):  # type: ignore[operator]
        page = client.get(reverse("reports:staff-reports"))

    html = page.content.decode()
    assert html.count('<progress class="progress" max="100" value="25">') == 1
    assert "data-report-pending" in html
    assert html.count(">CSV</a>") == 3


def test_the_admin_lists_reports_of_the_staffs_communities_read_only(counted: object) -> None:
    manager = staff_of(counted.first)  # type: ignore[attr-defined]
    mine = request_report(
        by=manager,
        community=counted.first,
        first_month=this_month(),
        last_month=this_month(),
        formats=["csv"],  # type: ignore[attr-defined]
    )
    request_report(
        by=UserFactory(national=True, is_superuser=True),
        community=counted.second,  # type: ignore[attr-defined]
        first_month=this_month(),
        last_month=this_month(),
        formats=["csv"],
    )
    request = RequestFactory().get("/")
    request.user = manager
    admin = site._registry[ReportRequest]

    assert list(admin.get_queryset(request)) == [mine]
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request, mine)
    assert signed_in(manager).get(reverse("admin:reports_reportrequest_changelist")).status_code == 200


def test_national_staff_name_a_community_by_its_code(
    counted: object, django_capture_on_commit_callbacks: object
) -> None:
    client = signed_in(UserFactory(national=True, is_superuser=True))
    page = client.get(reverse("reports:staff-reports"))
    assert 'name="community" maxlength="60"' in page.content.decode()
    assert [key for key, _name in page.context["form"].fields["city"].choices] == ["", "四川省|成都市", "四川省|绵阳市"]

    _ask(client, django_capture_on_commit_callbacks, community="jiaozi", formats=["xlsx"])
    refused = _ask(client, django_capture_on_commit_callbacks, community="nowhere", formats=["xlsx"])

    assert "No community of yours has this code." in str(refused.context["form"].non_field_errors())  # type: ignore[attr-defined]

    assert list(ReportRequest.objects.values_list("community__code", "status", "want_pdf", "want_xlsx")) == [
        ("jiaozi", "done", False, True)
    ]


def test_the_admin_changelist_query_count_is_pinned(counted: object, django_assert_num_queries: object) -> None:
    manager = staff_of(counted.first)  # type: ignore[attr-defined]
    for _ in range(3):
        request_report(
            by=manager,
            community=counted.first,
            first_month=this_month(),
            last_month=this_month(),
            formats=["csv"],  # type: ignore[attr-defined]
        )
    client = signed_in(manager)
    client.get(reverse("admin:reports_reportrequest_changelist"))

    with django_assert_num_queries(6):  # type: ignore[operator]
        response = client.get(reverse("admin:reports_reportrequest_changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == 3
