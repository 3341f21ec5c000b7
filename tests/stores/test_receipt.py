import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from stores.labels import qr_matrix
from stores.models import Donation, LabelSheet
from stores.receipts import QUIET, qr_symbol
from stores.services.items import IntakeLine, receive_donation
from tests.clients import signed_in
from tests.factories import UserFactory, staff_of
from tests.factories.donors import CompassionFamilyFactory
from tests.factories.stores import CategoryFactory, WarehouseFactory
from yicang.community.models import StaffMembership

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://yicang.example.cn"


def _donation(count: int = 3, **donor: object) -> Donation:
    giver = donor.get("family") or donor.get("enterprise")
    community = {"community": giver.community} if giver is not None else {}  # type: ignore[attr-defined]
    store = WarehouseFactory(name="一号库", public_place="水井坊社区义仓", **community)
    soon = timezone.localdate() + timedelta(days=90)
    lines = [
        IntakeLine(
            category=CategoryFactory(name="大米", unit="kg"), count=count, quantity=Decimal("10"), expires_on=soon
        ),
        IntakeLine(
            category=CategoryFactory(name="冬衣", unit="件", perishable=False),
            count=1,
            quantity=Decimal("1"),
            description="羽绒服",
        ),
    ]
    return receive_donation(warehouse=store, lines=lines, by=UserFactory(), **donor)  # type: ignore[arg-type]


def _modules(path: str, size: int) -> list[bytearray]:
    """The dark modules an SVG path of the receipt strokes, back as a matrix without the quiet zone."""
    rows = [bytearray(size - 2 * QUIET) for _ in range(size - 2 * QUIET)]
    x = y = 0
    for move, dx, dy, run in re.findall(r"([Mm])(\d+) (\d+)(?:\.5)?h(\d+)", path):
        x, y = (int(dx), int(dy)) if move == "M" else (x + int(dx), y)
        for column in range(x, x + int(run)):
            rows[y - QUIET][column - QUIET] = 1
        x += int(run)
    return rows


def test_the_qr_on_the_receipt_is_the_labels_qr_of_the_trace_url() -> None:
    url = f"{PUBLIC_URL}/t/ABCDEFGHJKMNP7"

    symbol = qr_symbol(url)

    matrix = qr_matrix(url)
    assert symbol.size == len(matrix) + 8
    assert _modules(symbol.path, symbol.size) == [bytearray(row) for row in matrix]


def test_the_receipt_shows_each_line_and_each_items_code_and_qr(settings: object) -> None:
    settings.YICANG_PUBLIC_URL = PUBLIC_URL  # type: ignore[attr-defined]
    family = CompassionFamilyFactory(consenting=True)
    donation = _donation(count=3, family=family)
    clerk = staff_of(family.community, StaffMembership.Role.WAREHOUSE)

    response = signed_in(clerk).get(f"/staff/store/donations/{donation.pk}/receipt/", HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    lines = response.context["lines"]
    items = list(donation.items.order_by("pk"))
    assert response.status_code == 200
    assert [(line.category, line.count, line.quantity, line.description) for line in lines] == [
        ("大米", 3, "10 kg", ""),
        ("冬衣", 1, "1 件", "羽绒服"),
    ]
    assert [item.code for line in lines for item in line.items] == [item.code_display for item in items]
    assert [item.url for line in lines for item in line.items] == [f"{PUBLIC_URL}/t/{item.code}" for item in items]
    assert page.count("<svg ") == 4
    assert response.context["public_donor"] == family.public_name
    for shown in (family.household.name, "水井坊社区义仓", *(item.code_display for item in items)):
        assert shown in page
    assert "<script>" not in page


def test_the_receipt_tells_a_donor_without_consent_how_the_trace_names_them() -> None:
    family = CompassionFamilyFactory()
    donation = _donation(count=1, family=family)
    clerk = staff_of(donation.community)

    response = signed_in(clerk).get(f"/staff/store/donations/{donation.pk}/receipt/", HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert response.context["public_donor"] == "a compassion family"
    assert "<dt>Donor</dt><dd>" + family.household.name + "</dd>" in page
    assert "<dt>Named publicly as</dt><dd>a compassion family</dd>" in page


def test_another_communitys_receipt_is_not_found() -> None:
    donation = _donation(count=1)
    stranger = staff_of(WarehouseFactory().community)

    response = signed_in(stranger).get(f"/staff/store/donations/{donation.pk}/receipt/")
    labels = signed_in(stranger).post(f"/staff/store/donations/{donation.pk}/labels/", {"layout": "a4_3x8"})

    assert response.status_code == labels.status_code == 404
    assert LabelSheet.objects.count() == 0


def test_a_receipt_of_500_items_takes_a_fixed_number_of_queries(django_assert_max_num_queries: object) -> None:
    donation = _donation(count=500)
    client = signed_in(staff_of(donation.community))

    with django_assert_max_num_queries(7):  # type: ignore[operator]
        response = client.get(f"/staff/store/donations/{donation.pk}/receipt/")

    assert response.status_code == 200
    assert response.content.decode().count("<svg ") == 501


def test_print_labels_asks_for_a_sheet_of_the_donations_items(django_capture_on_commit_callbacks: object) -> None:
    donation = _donation(count=2)
    clerk = staff_of(donation.community, StaffMembership.Role.WAREHOUSE)

    with django_capture_on_commit_callbacks() as queued:  # type: ignore[operator]
        response = signed_in(clerk).post(f"/staff/store/donations/{donation.pk}/labels/", {"layout": "a4_4x10"})

    sheet = LabelSheet.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/stores/labelsheet/{sheet.pk}/change/"
    assert (sheet.layout, sheet.total, sheet.created_by) == ("a4_4x10", 3, clerk)
    assert set(sheet.items.all()) == set(donation.items.all())
    assert len(queued) == 1


def test_print_labels_needs_a_known_layout_and_the_permission() -> None:
    donation = _donation(count=1)
    centre_staff = staff_of(donation.community, StaffMembership.Role.STAFF)
    manager = staff_of(donation.community)

    refused = signed_in(centre_staff).post(f"/staff/store/donations/{donation.pk}/labels/", {"layout": "a4_3x8"})
    unknown = signed_in(manager).post(f"/staff/store/donations/{donation.pk}/labels/", {"layout": "a5"})
    fetched = signed_in(manager).get(f"/staff/store/donations/{donation.pk}/labels/")

    assert (refused.status_code, unknown.status_code, fetched.status_code) == (403, 302, 405)
    assert LabelSheet.objects.count() == 0
