import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.clients import signed_in
from tests.community.conftest import Side
from tests.factories import ResidentFactory, staff_of
from tests.ids import resident_id
from yicang.community.identity import parse_resident_id
from yicang.community.models import Resident, SensitiveAccess, StaffMembership
from yicang.community.services import set_id_number
from yicang.core.crypto import unseal


def test_a_valid_number_is_normalised_with_its_birth_date() -> None:
    parsed = parse_resident_id(" 5101 0419 5603 1212 3" + resident_id()[-1].lower())

    assert (parsed.number, str(parsed.birth_date), parsed.last4) == (resident_id(), "1956-03-12", resident_id()[-4:])


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("51010419560312123", "A resident ID number has 18 characters"),
        ("51010419561332123X", "The birth date in the number, 19561332, is not a real date."),
        ("51010421000101123X", "The birth date in the number, 21000101, cannot be right."),
        (resident_id()[:-1] + ("0" if resident_id()[-1] != "0" else "1"), "the number was probably mistyped"),
    ],
)
def test_a_bad_number_is_refused_with_the_reason(number: str, message: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        parse_resident_id(number)


@pytest.mark.django_db
def test_the_number_is_stored_sealed_hashed_and_masked(side_a: Side) -> None:
    set_id_number(resident=side_a.resident, number=resident_id(), by=side_a.staff)
    stored = Resident.objects.get(pk=side_a.resident.pk)

    assert resident_id() not in {stored.id_number_sealed, stored.id_number_hash, stored.id_number_last4}
    assert unseal(stored.id_number_sealed) == resident_id()
    assert stored.id_number_masked == "**************" + resident_id()[-4:]
    assert (stored.birth_year, stored.id_verified_by) == (1956, side_a.staff)


@pytest.mark.django_db
def test_a_duplicate_number_is_refused_even_from_another_community(side_a: Side, side_b: Side) -> None:
    set_id_number(resident=side_a.resident, number=resident_id(), by=side_a.staff)

    with translation.override("en"), pytest.raises(ValidationError, match="already registered to another resident"):
        set_id_number(resident=side_b.resident, number=resident_id(), by=side_b.staff)
    assert Resident.objects.get(pk=side_b.resident.pk).id_number_hash is None


@pytest.mark.django_db
def test_staff_record_a_number_in_the_admin_and_see_it_masked(side_a: Side) -> None:
    client = signed_in(side_a.staff)
    url = reverse("admin:community_resident_change", args=[side_a.resident.pk])
    form = {"community": side_a.community.pk, "household": side_a.household.pk, "name": "王秀英", "gender": "female"}

    bad = client.post(url, {**form, "id_number": "12345"})
    good = client.post(url, {**form, "id_number": resident_id()})
    page = client.get(url).content.decode()

    assert bad.status_code == 200
    assert "id_number" in bad.context["adminform"].form.errors
    assert good.status_code == 302
    assert resident_id() not in page
    assert "**************" + resident_id()[-4:] in page


@pytest.mark.django_db
def test_revealing_needs_the_permission_and_a_reason_and_is_logged(side_a: Side, side_b: Side) -> None:
    set_id_number(resident=side_a.resident, number=resident_id(), by=side_a.staff)
    url = reverse("admin:community_resident_reveal", args=[side_a.resident.pk, "id_number"])
    plain_staff = signed_in(staff_of(side_a.community, role=StaffMembership.Role.STAFF))
    manager = signed_in(side_a.staff)

    refused = plain_staff.post(url, {"reason": "好奇"})
    other_community = signed_in(side_b.staff).post(url, {"reason": "核对"})
    no_reason = manager.post(url, {"reason": "  "})
    shown = manager.post(url, {"reason": "核对低保申请材料"})

    assert (refused.status_code, other_community.status_code, no_reason.status_code) == (403, 404, 200)
    assert resident_id() not in no_reason.content.decode()
    assert resident_id() in shown.content.decode()
    [entry] = SensitiveAccess.objects.all()
    assert (entry.user, entry.subject, entry.field, entry.action, entry.reason, entry.community) == (
        side_a.staff,
        side_a.resident,
        "id_number",
        "reveal",
        "核对低保申请材料",
        side_a.community,
    )


@pytest.mark.django_db
def test_the_access_log_is_read_only_and_scoped(side_a: Side, side_b: Side) -> None:
    set_id_number(resident=side_b.resident, number=resident_id(), by=side_b.staff)
    signed_in(side_b.staff).post(
        reverse("admin:community_resident_reveal", args=[side_b.resident.pk, "id_number"]), {"reason": "核对"}
    )

    mine = signed_in(side_a.staff).get(reverse("admin:community_sensitiveaccess_changelist"))
    theirs = signed_in(side_b.staff).get(reverse("admin:community_sensitiveaccess_changelist"))

    assert list(mine.context["cl"].result_list) == []
    assert len(theirs.context["cl"].result_list) == 1
    assert Client().get(reverse("admin:community_sensitiveaccess_changelist")).status_code == 302
    assert signed_in(side_b.staff).get(reverse("admin:community_sensitiveaccess_add")).status_code == 403


@pytest.mark.django_db
def test_resident_changelist_shows_masked_numbers_with_a_pinned_query_count(
    side_a: Side, django_assert_num_queries: object
) -> None:
    for n in range(5):
        resident = ResidentFactory(household=side_a.household)
        set_id_number(resident=resident, number=resident_id(serial=f"{n:03d}"), by=side_a.staff)
    client = signed_in(side_a.staff)

    with django_assert_num_queries(7):  # type: ignore[operator]
        response = client.get(reverse("admin:community_resident_changelist"))

    assert resident_id(serial="000") not in response.content.decode()
    assert "**************" + resident_id(serial="000")[-4:] in response.content.decode()
