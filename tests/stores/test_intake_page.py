from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone

from stores.models import Category, Donation, EventKind, Item, ItemEvent
from tests.clients import signed_in
from tests.factories import CommunityFactory, UserFactory, staff_of
from tests.factories.donors import AssistantEnterpriseFactory, CompassionFamilyFactory
from tests.factories.stores import CategoryFactory, WarehouseFactory
from yicang.community.models import StaffMembership

pytestmark = pytest.mark.django_db


def _management(total: int = 5, key: str = "") -> dict[str, str]:
    """The formset's bookkeeping and the form's intake key (a fresh one unless given)."""
    return {
        "intake_key": key or str(uuid4()),
        "lines-TOTAL_FORMS": str(total),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "60",
    }


def _line(index: int, category: Category, count: int, quantity: str, **more: str) -> dict[str, str]:
    return {
        f"lines-{index}-category": str(category.pk),
        f"lines-{index}-count": str(count),
        f"lines-{index}-quantity": quantity,
        **{f"lines-{index}-{name}": value for name, value in more.items()},
    }


def test_one_donor_many_lines_a_code_for_each_item_then_the_receipt(django_assert_max_num_queries: object) -> None:
    store = WarehouseFactory(name="一号库")
    family = CompassionFamilyFactory(community=store.community)
    rice = CategoryFactory(name="大米", unit="kg", perishable=True)
    coats = CategoryFactory(name="冬衣", unit="件", perishable=False)
    clerk = staff_of(store.community, StaffMembership.Role.WAREHOUSE)
    soon = timezone.localdate() + timedelta(days=90)
    client = signed_in(clerk)

    # Whatever the number of items: they and their events are written in one statement each.
    # (The intake key costs three: the look-up of an earlier submission and the savepoint around the insert.)
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        response = client.post(
            f"/staff/store/c/{store.community.code}/intake/",
            {
                "warehouse": store.pk,
                "donor": f"f{family.pk}",
                "note": "  春节前  ",
                **_management(),
                **_line(0, rice, 20, "10", expires_on=soon.isoformat()),
                **_line(3, coats, 3, "1", description="羽绒服"),
            },
        )

    donation = Donation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/store/donations/{donation.pk}/receipt/"
    assert (donation.warehouse, donation.family, donation.enterprise, donation.note, donation.received_by) == (
        store,
        family,
        None,
        "春节前",
        clerk,
    )
    items = list(donation.items.order_by("pk").values_list("category__name", "quantity", "unit", "description"))
    assert items == [("大米", Decimal("10.00"), "kg", "")] * 20 + [("冬衣", Decimal("1.00"), "件", "羽绒服")] * 3
    assert len(set(donation.items.values_list("code", flat=True))) == 23
    assert ItemEvent.objects.filter(item__donation=donation, kind=EventKind.RECEIVED).count() == 23


def test_an_enterprise_or_nobody_can_be_the_donor() -> None:
    store = WarehouseFactory()
    enterprise = AssistantEnterpriseFactory(community=store.community)
    coats = CategoryFactory(name="冬衣", unit="件", perishable=False)
    client = signed_in(staff_of(store.community))
    url = f"/staff/store/c/{store.community.code}/intake/"

    given = client.post(
        url, {"warehouse": store.pk, "donor": f"e{enterprise.pk}", **_management(), **_line(0, coats, 1, "1")}
    )
    anonymous = client.post(url, {"warehouse": store.pk, "donor": "", **_management(), **_line(0, coats, 1, "1")})

    assert given.status_code == anonymous.status_code == 302
    assert list(Donation.objects.order_by("pk").values_list("family", "enterprise")) == [
        (None, enterprise.pk),
        (None, None),
    ]


def test_bad_input_shows_errors_and_keeps_everything_typed() -> None:
    store = WarehouseFactory()
    family = CompassionFamilyFactory(community=store.community)
    rice = CategoryFactory(name="大米", unit="kg", perishable=True)
    coats = CategoryFactory(name="冬衣", unit="件", perishable=False)
    client = signed_in(staff_of(store.community))
    yesterday = timezone.localdate() - timedelta(days=1)

    response = client.post(
        f"/staff/store/c/{store.community.code}/intake/",
        {
            "warehouse": store.pk,
            "donor": f"f{family.pk}",
            "note": "王阿姨送来的",
            **_management(),
            **_line(0, rice, 20, "10", description="五常大米"),
            **_line(1, coats, 501, "1", description="羽绒服"),
            **_line(2, coats, 1, "1", expires_on=yesterday.isoformat()),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    lines = response.context["lines"]
    page = response.content.decode()
    assert response.status_code == 200
    assert Donation.objects.count() == Item.objects.count() == 0
    assert lines.forms[0].errors == {"expires_on": ["大米 needs an expiry date."]}
    assert lines.forms[1].errors == {"count": ["Ensure this value is less than or equal to 500."]}
    assert lines.forms[2].errors == {"expires_on": ["The expiry date has passed; do not take it in."]}
    assert response.context["form"].errors == {}
    for kept in ("王阿姨送来的", "五常大米", 'value="501"', f'value="f{family.pk}" selected', yesterday.isoformat()):
        assert kept in page


def test_a_refusal_of_the_service_is_a_form_error_and_nothing_is_written() -> None:
    store = WarehouseFactory()

    response = signed_in(staff_of(store.community)).post(
        f"/staff/store/c/{store.community.code}/intake/",
        {"warehouse": store.pk, "donor": "", "note": "空的", **_management()},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Add at least one line to the donation."]
    assert 'value="空的"' in response.content.decode()
    assert Donation.objects.count() == 0


def test_another_communitys_warehouse_and_donor_are_not_choices() -> None:
    store = WarehouseFactory()
    elsewhere = WarehouseFactory()
    stranger = CompassionFamilyFactory(community=elsewhere.community)
    coats = CategoryFactory(name="冬衣", unit="件", perishable=False)

    response = signed_in(staff_of(store.community)).post(
        f"/staff/store/c/{store.community.code}/intake/",
        {"warehouse": elsewhere.pk, "donor": f"f{stranger.pk}", **_management(), **_line(0, coats, 1, "1")},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"warehouse", "donor"}
    assert Donation.objects.count() == 0
    assert stranger.household.name not in response.content.decode()


def test_the_page_of_another_community_is_not_found_and_one_without_the_permission_refused() -> None:
    community = CommunityFactory()
    other = staff_of(CommunityFactory())
    watcher = UserFactory(national=True)  # sees every community, but may not take in donations

    assert signed_in(other).get(f"/staff/store/c/{community.code}/intake/").status_code == 404
    assert signed_in(watcher).get(f"/staff/store/c/{community.code}/intake/").status_code == 403


def test_the_empty_page_offers_five_lines_and_the_last_warehouse(django_assert_max_num_queries: object) -> None:
    store = WarehouseFactory(name="一号库")
    stop = WarehouseFactory(community=store.community, name="义仓站", kind="stop")
    for _ in range(30):
        CompassionFamilyFactory(community=store.community)
        AssistantEnterpriseFactory(community=store.community)
    CategoryFactory(name="冬衣", unit="件", perishable=False)
    CategoryFactory(name="大米", unit="kg", perishable=True)
    client = signed_in(staff_of(store.community))
    session = client.session
    session[f"stores:intake-warehouse:{store.community.pk}"] = stop.pk
    session.save()

    with django_assert_max_num_queries(9):  # type: ignore[operator]
        response = client.get(f"/staff/store/c/{store.community.code}/intake/")

    page = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["lines"].forms) == 5
    assert f'<option value="{stop.pk}" selected>' in page
    assert page.count('data-perishable="1"') == 6  # five lines and the template of a new one
    assert "<script>" not in page


def test_the_same_form_sent_twice_is_one_donation() -> None:
    store = WarehouseFactory()
    rice = CategoryFactory(name="冬衣", unit="件", perishable=False)
    client = signed_in(staff_of(store.community, StaffMembership.Role.WAREHOUSE))
    form = {"warehouse": store.pk, "donor": "", **_management(key=str(uuid4())), **_line(0, rice, 4, "1")}
    url = f"/staff/store/c/{store.community.code}/intake/"

    first = client.post(url, form)
    again = client.post(url, form)

    donation = Donation.objects.get()
    assert first["Location"] == again["Location"] == f"/staff/store/donations/{donation.pk}/receipt/"
    assert Item.objects.count() == 4


def test_the_page_sends_a_fresh_intake_key_with_each_empty_form() -> None:
    store = WarehouseFactory()
    client = signed_in(staff_of(store.community, StaffMembership.Role.WAREHOUSE))
    url = f"/staff/store/c/{store.community.code}/intake/"

    keys = [client.get(url).context["form"]["intake_key"].value() for _ in range(2)]

    assert keys[0] != keys[1]
    assert all(len(str(key)) == 36 for key in keys)
