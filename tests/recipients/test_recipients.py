from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from recipients.exceptions import ConsentMissing, NotAllowedTransition, RecipientError
from recipients.models import ConsentRecord, NeedsAssessment, RecipientFamily, StatusChange
from recipients.selectors import conversion
from recipients.services import (
    assess,
    change_status,
    record_became_volunteer,
    record_consent,
    register_recipient,
    set_sensitive_details,
    withdraw_consent,
)
from tests.clients import signed_in
from tests.factories import CommunityFactory, HouseholdFactory, ResidentFactory, UserFactory, staff_of
from tests.factories.recipients import RecipientFamilyFactory
from yicang.community.models import SensitiveAccess, StaffMembership
from yicang.core.crypto import unseal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


def test_registering_a_family_records_categories_and_the_first_status() -> None:
    clerk = UserFactory()
    household = HouseholdFactory()

    family = register_recipient(household=household, categories=["elderly_alone", "low_income"], by=clerk)

    assert family.status == "applied"
    assert sorted(family.vulnerabilities.values_list("category", flat=True)) == ["elderly_alone", "low_income"]
    assert list(StatusChange.objects.values_list("from_status", "to_status", "by")) == [("", "applied", clerk.pk)]


def test_unknown_categories_and_second_registrations_are_refused() -> None:
    household = HouseholdFactory()
    with pytest.raises(RecipientError, match=r"Unknown categories: rich\."):
        register_recipient(household=household, categories=["rich"], by=UserFactory())
    register_recipient(household=household, categories=[], by=UserFactory())

    with pytest.raises(RecipientError, match="already a recipient family"):
        register_recipient(household=household, categories=[], by=UserFactory())
    assert RecipientFamily.objects.count() == 1


def test_status_follows_its_path_with_history() -> None:
    family, clerk = RecipientFamilyFactory(), UserFactory()

    assess(family=family, by=clerk, needs="米面油、陪诊", next_review=date(2027, 5, 1), assessed_on=date(2026, 11, 1))
    change_status(family=family, to="active", by=clerk, note="评估通过")
    change_status(family=family, to="graduated", by=clerk)
    with pytest.raises(
        NotAllowedTransition, match=r"A family that is graduated cannot become receiving support\."
    ) as error:
        change_status(family=family, to="active", by=clerk)

    assert error.value.status == 409
    assert list(StatusChange.objects.filter(family=family).values_list("from_status", "to_status")) == [
        ("applied", "assessed"),
        ("assessed", "active"),
        ("active", "graduated"),
    ]
    assert RecipientFamily.objects.get(pk=family.pk).status == "graduated"


def test_an_assessment_needs_needs_and_a_later_review() -> None:
    family = RecipientFamilyFactory()

    with pytest.raises(RecipientError, match=r"The next review must come after the assessment\."):
        assess(family=family, by=UserFactory(), needs="x", next_review=date(2026, 1, 1), assessed_on=date(2026, 2, 1))
    with pytest.raises(RecipientError, match="Write down the needs"):
        assess(family=family, by=UserFactory(), needs=" ", next_review=None)
    assert not NeedsAssessment.objects.exists()
    assert RecipientFamily.objects.get(pk=family.pk).status == "applied"


def test_a_childs_consent_must_come_from_a_guardian() -> None:
    family = RecipientFamilyFactory()
    child = ResidentFactory(household=family.household, name="王小宝", birth_year=timezone.localdate().year - 9)

    with pytest.raises(ValidationError, match=r"王小宝 is under 14: the consent must be given by a guardian\."):
        record_consent(family=family, scope="sensitive", given_by="王小宝", by=UserFactory(), subject=child)
    consent = record_consent(
        family=family, scope="sensitive", given_by="王建国（父亲）", by=UserFactory(), subject=child, by_guardian=True
    )

    assert list(ConsentRecord.objects.all()) == [consent]


def test_sensitive_details_need_consent_and_a_guardians_for_children() -> None:
    family, clerk = RecipientFamilyFactory(), UserFactory()
    ResidentFactory(household=family.household, name="王小宝", birth_year=timezone.localdate().year - 9)

    with pytest.raises(ConsentMissing, match="No one has consented"):
        set_sensitive_details(family=family, details="二级肢体残疾", by=clerk)
    record_consent(family=family, scope="sensitive", given_by="王建国", by=clerk)
    with pytest.raises(ConsentMissing, match="王小宝 is under 14: a guardian must consent"):
        set_sensitive_details(family=family, details="二级肢体残疾", by=clerk)
    guardian = record_consent(family=family, scope="sensitive", given_by="王建国（监护人）", by=clerk, by_guardian=True)
    set_sensitive_details(family=family, details="二级肢体残疾", by=clerk)

    assert unseal(RecipientFamily.objects.get(pk=family.pk).details_sealed) == "二级肢体残疾"
    withdraw_consent(consent=guardian)
    assert RecipientFamily.objects.get(pk=family.pk).details_sealed == ""


def test_details_are_revealed_only_with_permission_and_logged() -> None:
    family = RecipientFamilyFactory()
    manager = staff_of(family.community)
    record_consent(family=family, scope="sensitive", given_by="王建国", by=manager)
    set_sensitive_details(family=family, details="糖尿病，需定期陪诊", by=manager)
    url = reverse("admin:recipients_recipientfamily_reveal", args=[family.pk, "details"])

    page = signed_in(manager).get(reverse("admin:recipients_recipientfamily_change", args=[family.pk]))
    refused = signed_in(staff_of(family.community, role=StaffMembership.Role.STAFF)).post(url, {"reason": "看看"})
    shown = signed_in(manager).post(url, {"reason": "安排陪诊志愿者"})

    assert "糖尿病" not in page.content.decode()
    assert refused.status_code == 403
    assert "糖尿病，需定期陪诊" in shown.content.decode()
    assert list(SensitiveAccess.objects.values_list("field", "reason")) == [("details", "安排陪诊志愿者")]


def test_another_communitys_family_is_not_found_in_the_admin() -> None:
    family = RecipientFamilyFactory()
    stranger = staff_of(CommunityFactory())

    response = signed_in(stranger).get(reverse("admin:recipients_recipientfamily_change", args=[family.pk]))

    assert response.status_code == 404


def test_status_actions_in_the_admin_follow_the_path() -> None:
    family = RecipientFamilyFactory(status="assessed")
    client = signed_in(staff_of(family.community))

    client.post(
        reverse("admin:recipients_recipientfamily_changelist"),
        {"action": "mark_active", "_selected_action": [family.pk]},
    )
    client.post(
        reverse("admin:recipients_recipientfamily_changelist"),
        {"action": "mark_applied", "_selected_action": [family.pk]},
    )

    assert RecipientFamily.objects.get(pk=family.pk).status == "active"
    assert list(StatusChange.objects.values_list("to_status", flat=True)) == ["active"]


def test_conversion_counts_recipients_who_became_volunteers() -> None:
    community = CommunityFactory()
    families = [RecipientFamilyFactory(household__community=community, applied_on=date(2026, 1, 10)) for _ in range(4)]
    RecipientFamilyFactory(household__community=community, applied_on=date(2026, 12, 1))  # after the period
    RecipientFamilyFactory(applied_on=date(2026, 1, 10))  # another community
    record_became_volunteer(family=families[0], on=date(2026, 3, 5))
    record_became_volunteer(family=families[1], on=date(2026, 10, 20))
    record_became_volunteer(family=families[2], on=date(2026, 12, 2))

    october = conversion(community, date(2026, 10, 1), date(2026, 11, 1))

    assert (october.families, october.volunteers, october.new_volunteers, october.rate) == (4, 2, 1, 0.5)


def test_a_family_cannot_volunteer_before_it_applied() -> None:
    family = RecipientFamilyFactory(applied_on=date(2026, 5, 1))

    with pytest.raises(RecipientError, match="before it applied"):
        record_became_volunteer(family=family, on=date(2026, 4, 1))
    assert RecipientFamily.objects.get(pk=family.pk).volunteer_since is None


def test_recipient_changelist_has_a_pinned_query_count(django_assert_num_queries: object) -> None:
    community = CommunityFactory()
    manager = staff_of(community)
    client = signed_in(manager)
    url = reverse("admin:recipients_recipientfamily_changelist")
    register_recipient(household=HouseholdFactory(community=community), categories=["disabled"], by=manager)
    with django_assert_num_queries(8):  # type: ignore[operator]
        client.get(url)
    for _ in range(10):
        register_recipient(
            household=HouseholdFactory(community=community), categories=["disabled", "other"], by=manager
        )
    with django_assert_num_queries(8):  # type: ignore[operator]
        assert client.get(url).status_code == 200


def test_admin_forms_refuse_what_the_database_would_refuse() -> None:
    family = RecipientFamilyFactory(applied_on=date(2026, 5, 1))
    client = signed_in(staff_of(family.community))

    early = client.post(
        reverse("admin:recipients_recipientfamily_change", args=[family.pk]),
        {
            "community": family.community.pk,
            "household": family.household.pk,
            "applied_on": "2026-05-01",
            "volunteer_since": "2026-04-01",
            **{
                f"{prefix}-TOTAL_FORMS": "0"
                for prefix in ("vulnerabilities", "status_changes", "assessments", "consents", "visits")
            },
            **{
                f"{prefix}-INITIAL_FORMS": "0"
                for prefix in ("vulnerabilities", "status_changes", "assessments", "consents", "visits")
            },
        },
    )
    review = client.post(
        reverse("admin:recipients_needsassessment_add"),
        {"family": family.pk, "assessed_on": "2026-06-01", "needs": "米", "next_review": "2026-05-01"},
    )

    assert early.status_code == 200
    assert "volunteer_since" in early.context["adminform"].form.errors
    assert review.status_code == 200
    assert "next_review" in review.context["adminform"].form.errors
    assert RecipientFamily.objects.get(pk=family.pk).volunteer_since is None
    assert not NeedsAssessment.objects.exists()
