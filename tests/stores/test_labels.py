import re
import zlib
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import segno
from barcode import Code128
from django.conf import LazySettings
from django.utils import timezone

from stores.labels import LAYOUTS, QUIET_MODULES, render_labels, request_label_sheet, trace_url
from stores.models import Item, LabelSheet
from stores.services.items import IntakeLine, receive_donation
from stores.tasks import render_label_sheet
from tests.factories import UserFactory
from tests.factories.stores import CategoryFactory, WarehouseFactory
from yicang.celery import app as celery_app

pytestmark = pytest.mark.django_db
MM = 72 / 25.4
BASE = "https://yicang.example.org"


@pytest.fixture(autouse=True)
def _media(settings: LazySettings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.YICANG_PUBLIC_URL = BASE


def _items(count: int) -> list[Item]:
    line = IntakeLine(
        category=CategoryFactory(name="大米"),
        count=count,
        quantity=Decimal("10"),
        expires_on=timezone.localdate() + timedelta(days=180),
    )
    donation = receive_donation(warehouse=WarehouseFactory(), lines=[line], by=UserFactory())
    return list(donation.items.select_related("category").order_by("pk"))


def _pages(pdf: bytes) -> list[bytes]:
    return [obj for obj in pdf.split(b"endobj") if re.search(rb"/Type /Page\b", obj)]


def _streams(pdf: bytes) -> list[str]:
    found = re.findall(
        rb"/Filter \[ /FlateDecode \] /Length \d+\s*>>\s*stream\r?\n(.*?)endstream", pdf, flags=re.DOTALL
    )
    return [zlib.decompress(raw).decode("latin-1") for raw in found]


def _runs(stream: str, transform: str) -> list[tuple[int, int, int]]:
    """The (x, y, width) rectangles of the path drawn under the `cm` transform that starts with `transform`."""
    start = stream.index(transform)
    body = stream[start : stream.index("f Q", start)]
    return [(int(x), int(y), int(w)) for x, y, w in re.findall(r"^(\d+) (\d+) (\d+) 1 re$", body, flags=re.M)]


def _transforms(stream: str) -> list[tuple[float, float, float, float]]:
    pattern = r"q 1 0 0 1 ([\d.]+) ([\d.]+) cm ([\d.]+) 0 0 ([\d.]+) 0 0 cm"
    return [tuple(float(v) for v in m) for m in re.findall(pattern, stream)]  # type: ignore[misc]


def test_a_sheet_of_30_items_on_a4_3x8_is_rendered_after_the_commit_on_two_pages(
    django_capture_on_commit_callbacks: object,
) -> None:
    items = _items(30)
    clerk = UserFactory()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # type: ignore[operator]
        sheet = request_label_sheet(items=items, layout="a4_3x8", by=clerk)
        assert LabelSheet.objects.get(pk=sheet.pk).status == "pending"

    sheet.refresh_from_db()
    assert len(callbacks) == 1
    assert (sheet.status, sheet.done_count, sheet.total, sheet.error) == ("done", 30, 30, "")
    assert sheet.progress == 1.0
    assert sheet.created_by == clerk
    assert sheet.community == items[0].community
    assert sheet.finished_at is not None
    assert sheet.pdf.name == f"labels/sheet-{sheet.pk}.pdf"
    pdf = sheet.pdf.read()
    assert pdf.startswith(b"%PDF-")
    assert len(_pages(pdf)) == 2
    assert set(sheet.items.all()) == set(items)


def test_progress_is_reported_every_hundred_labels_and_at_the_end() -> None:
    items = _items(250)
    heard: list[int] = []

    render_labels(items, "a4_4x10", base_url=BASE, progress=heard.append)

    assert heard == [100, 200, 250]


def test_the_thermal_layout_gives_one_50_by_30_mm_page_per_item() -> None:
    items = _items(3)

    pdf = render_labels(items, "thermal_50x30", base_url=BASE)

    pages = _pages(pdf)
    assert len(pages) == 3
    assert {re.search(rb"/MediaBox \[ ([^\]]+) \]", page).group(1) for page in pages} == {  # type: ignore[union-attr]
        b"0 0 141.7323 85.03937"
    }


def test_the_qr_draws_the_public_trace_url_of_the_item() -> None:
    (item,) = _items(1)
    url = trace_url(BASE + "/", item.code)

    (stream,) = _streams(render_labels([item], "thermal_50x30", base_url=BASE))

    assert url == f"https://yicang.example.org/t/{item.code}"
    expected = segno.make_qr(url, error="m", mask=0).matrix
    size = len(expected)
    qr_transform = _transforms(stream)[0]
    drawn = [[0] * size for _ in range(size)]
    prefix = stream[stream.index("q 1 0 0 1") : stream.index(" cm", stream.index("q 1 0 0 1")) + 3]
    for x, y, width in _runs(stream, prefix):
        for column in range(x - 4, x - 4 + width):
            drawn[size + 3 - y][column] = 1
    assert drawn == [list(row) for row in expected]
    # 17 mm square, quiet zone of four modules included: 0.46 mm modules, enough for a phone camera.
    assert qr_transform[2] == pytest.approx(17 * MM / (size + 8), abs=1e-4)


def test_the_code128_carries_the_compact_code_with_quiet_zones() -> None:
    (item,) = _items(1)
    modules = Code128(item.code).build()[0]

    (stream,) = _streams(render_labels([item], "thermal_50x30", base_url=BASE))

    assert Code128(item.code).code == item.code
    left, _bottom, module, _height = _transforms(stream)[1]
    bars = _runs(stream, f"q 1 0 0 1 {left:.2f}")
    drawn = ["0"] * len(modules)
    for x, _y, width in bars:
        drawn[x : x + width] = ["1"] * width
    assert "".join(drawn) == modules
    assert module == pytest.approx(0.2 * MM, abs=1e-4)
    label = LAYOUTS["thermal_50x30"]
    quiet_left = left / MM
    quiet_right = label.width - quiet_left - len(modules) * label.module
    assert min(quiet_left, quiet_right) >= QUIET_MODULES * label.module
    assert f"({item.code_display}) Tj" in stream


def test_running_the_task_twice_leaves_one_pdf_and_the_sheet_done(
    django_capture_on_commit_callbacks: object, settings: LazySettings
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        sheet = request_label_sheet(items=_items(2), layout="a4_4x10", by=UserFactory())
    finished = LabelSheet.objects.get(pk=sheet.pk).finished_at

    render_label_sheet(sheet_id=sheet.pk)

    sheet.refresh_from_db()
    assert (sheet.status, sheet.done_count, sheet.finished_at) == ("done", 2, finished)
    assert sorted(p.name for p in (Path(settings.MEDIA_ROOT) / "labels").iterdir()) == [f"sheet-{sheet.pk}.pdf"]


def test_a_failure_marks_the_sheet_failed_with_the_error_and_a_rerun_can_finish_it(
    django_capture_on_commit_callbacks: object, settings: LazySettings, tmp_path: Path
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the media directory should be")
    settings.MEDIA_ROOT = blocked

    with pytest.raises(OSError, match="blocked"), django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        request_label_sheet(items=_items(2), layout="a4_3x8", by=UserFactory())

    failed = LabelSheet.objects.get()
    assert (failed.status, failed.pdf.name, failed.finished_at) == ("failed", "", None)
    assert "blocked" in failed.error
    settings.MEDIA_ROOT = tmp_path / "media"
    render_label_sheet(sheet_id=failed.pk)
    assert LabelSheet.objects.values_list("status", "done_count", "error").get() == ("done", 2, "")


def test_a_sheet_of_two_communities_or_no_items_is_refused_and_nothing_is_queued(
    django_capture_on_commit_callbacks: object,
) -> None:
    mixed = _items(1) + _items(1)

    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
        with pytest.raises(ValueError, match="one community"):
            request_label_sheet(items=mixed, layout="a4_3x8", by=UserFactory())
        with pytest.raises(ValueError, match="at least one item"):
            request_label_sheet(items=[], layout="a4_3x8", by=UserFactory())
        with pytest.raises(ValueError, match="Unknown label layout 'a5'"):
            request_label_sheet(items=mixed[:1], layout="a5", by=UserFactory())

    assert callbacks == []
    assert not LabelSheet.objects.exists()


def test_the_task_is_named_and_goes_to_the_labels_queue() -> None:
    route = celery_app.amqp.router.route({}, render_label_sheet.name)

    assert (render_label_sheet.name, route["queue"].name) == ("stores.render_label_sheet", "labels")
