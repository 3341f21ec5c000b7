import json
import os

import pytest
from django.urls import reverse
from django.utils import translation

from recipients.models import ConsentRecord, HomeVisit, RecipientFamily
from recipients.services import record_consent, record_home_visit, register_recipient, set_sensitive_details
from tests.clients import signed_in
from tests.factories import CommunityFactory, HouseholdFactory, ResidentFactory, UserFactory, staff_of
from tests.ids import resident_id
from yicang.community.models import Household, Resident, SensitiveAccess, StaffMembership, User
from yicang.community.services import set_id_number
from yicang.core.exceptions import DomainError
from yicang.ledger.models import Account, Leg
from yicang.ledger.services import Entry, post_transaction
from yicang.privacy.services import erase_household, erase_resident, export_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def family() -> RecipientFamily:
    household = HouseholdFactory(name="王建国家", address="水井街28号2单元301")
    manager = staff_of(household.community)
    resident = ResidentFactory(household=household, name="王建国", user=UserFactory(username="wjg"))
    set_id_number(resident=resident, number=resident_id(), by=manager)
    family = register_recipient(household=household, categories=["elderly_alone"], by=manager)
    record_consent(family=family, scope="sensitive", given_by="王建国", by=manager)
    set_sensitive_details(family=family, details="高血压，行动不便", by=manager)
    record_home_visit(family=family, visitor=manager, notes="冰箱空了，需要米面油")
    community = household.community
    time = Account.objects.create(community=community, kind=Account.Kind.TIME, name="王家时间", household=household)
    pool = Account.objects.create(community=community, kind=Account.Kind.TIME_POOL, name="时间池")
    post_transaction(community=community, entries=[Entry(time, 90), Entry(pool, -90)], reason="陪诊", by=manager)
    return family


def test_export_holds_everything_about_the_person_and_is_logged(family: RecipientFamily) -> None:
    resident = Resident.objects.get(name="王建国")
    manager = User.objects.get(memberships__community=family.community)

    data = export_resident(resident=resident, by=manager, reason="本人书面申请，2026-11-20")

    assert data["resident"]["name"] == "王建国"
    assert data["resident"]["id_number"] == resident_id()
    assert data["household"] == {"name": "王建国家", "address": "水井街28号2单元301", "members": ["王建国"]}
    assert data["recipient_family"]["details"] == "高血压，行动不便"
    assert data["recipient_family"]["categories"] == ["elderly_alone"]
    assert data["recipient_family"]["home_visits"][0]["notes"] == "冰箱空了，需要米面油"
    assert data["time_account"]["balance_minutes"] == 90
    assert json.dumps(data, ensure_ascii=False)
    assert list(SensitiveAccess.objects.values_list("action", "field", "reason")) == [
        ("export", "all", "本人书面申请，2026-11-20")
    ]


def test_erasing_a_household_anonymises_it_and_keeps_the_book(family: RecipientFamily) -> None:
    household = family.household
    manager = User.objects.get(memberships__community=family.community)
    legs_before = Leg.objects.count()

    erase_household(household=household, by=manager, reason="本人要求删除，2026-11-21")

    household = Household.objects.get(pk=household.pk)
    resident = Resident.objects.get(household=household)
    assert (household.name, household.address) == (f"匿名 {household.pk}", "")
    assert (resident.name, resident.birth_year, resident.id_number_hash, resident.id_number_sealed) == (
        f"匿名 {resident.pk}",
        None,
        None,
        "",
    )
    assert resident.anonymised_at is not None
    assert resident.user is None
    assert not User.objects.get(username=f"erased-{User.objects.get(username__startswith='erased').pk}").is_active
    assert RecipientFamily.objects.get(pk=family.pk).details_sealed == ""
    assert set(ConsentRecord.objects.values_list("given_by", flat=True)) == {"匿名"}
    assert set(HomeVisit.objects.values_list("notes", flat=True)) == {""}
    assert Leg.objects.count() == legs_before
    assert Account.objects.get(kind="time").household == household
    assert "王建国" not in set(SensitiveAccess.objects.values_list("subject_label", flat=True))


def test_an_erased_id_number_can_be_registered_again(family: RecipientFamily) -> None:
    manager = User.objects.get(memberships__community=family.community)
    erase_resident(resident=Resident.objects.get(name="王建国"), by=manager, reason="本人要求")

    newcomer = ResidentFactory(household__community=family.community)
    set_id_number(resident=newcomer, number=resident_id(), by=manager)

    assert Resident.objects.get(pk=newcomer.pk).id_number_last4 == resident_id()[-4:]


def test_export_and_erasure_need_a_reason(family: RecipientFamily) -> None:
    manager = User.objects.get(memberships__community=family.community)
    resident = Resident.objects.get(name="王建国")

    with translation.override("en"), pytest.raises(DomainError, match="Say why"):
        erase_resident(resident=resident, by=manager, reason=" ")
    assert Resident.objects.get(pk=resident.pk).name == "王建国"
    assert not SensitiveAccess.objects.exists()


def test_the_admin_exports_json_and_erases_with_permission_only(family: RecipientFamily) -> None:
    resident = Resident.objects.get(name="王建国")
    manager = User.objects.get(memberships__community=family.community)
    export_url = reverse("admin:community_resident_privacy", args=[resident.pk, "export"])
    erase_url = reverse("admin:community_resident_privacy", args=[resident.pk, "erase"])
    plain_staff = signed_in(staff_of(family.community, role=StaffMembership.Role.STAFF))
    stranger = signed_in(staff_of(CommunityFactory()))

    page = signed_in(manager).get(reverse("admin:community_resident_change", args=[resident.pk]))
    exported = signed_in(manager).post(export_url, {"reason": "本人申请"})
    refused = plain_staff.post(erase_url, {"reason": "x"})
    hidden = stranger.post(erase_url, {"reason": "x"})
    erased = signed_in(manager).post(erase_url, {"reason": "本人要求删除"})

    assert export_url in page.content.decode()
    assert exported["Content-Type"] == "application/json"
    assert json.loads(exported.content)["resident"]["name"] == "王建国"
    assert (refused.status_code, hidden.status_code, erased.status_code) == (403, 404, 302)
    assert Resident.objects.get(pk=resident.pk).name == f"匿名 {resident.pk}"


def test_erasure_withdraws_a_volunteers_public_name(family: RecipientFamily) -> None:
    from volunteers.models import Volunteer
    from volunteers.services import register_volunteer

    resident = Resident.objects.get(name="王建国")
    volunteer = register_volunteer(resident=resident)
    Volunteer.objects.filter(pk=volunteer.pk).update(public_name_consent=True)

    erase_resident(resident=resident, by=User.objects.get(memberships__community=family.community), reason="本人要求")

    assert Volunteer.objects.get(pk=volunteer.pk).public_name_consent is False


def test_erasure_removes_a_pending_residency_check_and_its_photo(
    family: RecipientFamily, settings: object, tmp_path: object
) -> None:
    from django.core.files.base import ContentFile

    from volunteers.market.models import VerificationRequest
    from yicang.core.crypto import seal

    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    resident = Resident.objects.get(name="王建国")
    check = VerificationRequest(
        community=resident.community, resident=resident, id_number_sealed=seal(resident_id()), id_number_last4="1234"
    )
    check.photo.save("id.jpg", ContentFile(b"jpeg"), save=False)
    check.save()
    photo_path = check.photo.path

    exported = export_resident(resident=resident, by=User.objects.get(username="wjg"), reason="本人申请")
    erase_resident(resident=resident, by=User.objects.get(memberships__community=family.community), reason="本人要求")

    assert [c["status"] for c in exported["residency_checks"]] == ["pending"]
    assert not VerificationRequest.objects.exists()
    assert not os.path.exists(photo_path)
