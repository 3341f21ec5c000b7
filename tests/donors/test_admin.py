"""The donors' admin: tenancy, the tree rules in forms, snowball figures per page, masked phones."""

import json
import re
from collections.abc import Callable

import pytest
from django.urls import reverse

from donors.models import AssistantEnterprise, CompassionFamily
from donors.selectors import TreeStats
from tests.clients import signed_in
from tests.donors.conftest import Side, build_tree, recruiters_in_db
from tests.factories import HouseholdFactory, staff_of
from tests.factories.donors import (
    AssistantEnterpriseFactory,
    CompassionFamilyFactory,
    EnterpriseContributionFactory,
    MediaCoverageFactory,
    MediaPartnerFactory,
)
from yicang.community.models import StaffMembership, User

pytestmark = pytest.mark.django_db


def _column(html: str, name: str) -> list[str]:
    """The cells of one changelist column, as text (the first column's are links)."""
    return re.findall(rf'<t[hd] class="field-{name}[^"]*"[^>]*>(?:<a [^>]*>)?(.*?)(?:</a>)?</t[hd]>', html)


def _family_form(family: CompassionFamily | None = None, **fields: object) -> dict[str, object]:
    form: dict[str, object] = {
        "joined_on": "2024-05-01",
        "public_name": "",
    }
    if family is not None:
        form.update(recruited_by=family.recruited_by_id or "", opinion_leader="on" if family.opinion_leader else "")
    form.update(fields)
    return {k: v for k, v in form.items() if v not in ("", None)}


def test_families_changelist_lists_only_own_communitys_families(side_a: Side, side_b: Side) -> None:
    mine = build_tree(side_a.community)
    build_tree(side_b.community, prefix="交子")

    response = signed_in(side_a.staff).get(reverse("admin:donors_compassionfamily_changelist"))

    assert response.status_code == 200
    assert {f.pk for f in response.context["cl"].result_list} == {f.pk for f in mine.values()}
    assert "交子" not in response.content.decode()


def test_families_changelist_shows_tree_size_and_depth_of_opinion_leaders(side_a: Side) -> None:
    build_tree(side_a.community)

    response = signed_in(side_a.staff).get(reverse("admin:donors_compassionfamily_changelist"))

    page = response.content.decode()
    rows = list(zip(_column(page, "household"), _column(page, "tree_size"), _column(page, "tree_depth"), strict=True))
    assert rows == [
        ("王家", "5", "3"),
        ("赵家", "1", "1"),
        ("李家", "—", "—"),
        ("张家", "—", "—"),
        ("刘家", "—", "—"),
        ("陈家", "—", "—"),
        ("杨家", "—", "—"),
        ("黄家", "—", "—"),
        ("吴家", "—", "—"),
    ]


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_another_communitys_family_is_not_found(side_a: Side, side_b: Side, view: str) -> None:
    theirs = CompassionFamilyFactory(community=side_b.community, household__name="交子王家")

    response = signed_in(side_a.staff).get(reverse(f"admin:donors_compassionfamily_{view}", args=[theirs.pk]))

    assert response.status_code == 404
    assert "交子王家" not in response.content.decode()


def test_the_change_page_shows_an_opinion_leaders_figures(side_a: Side) -> None:
    tree = build_tree(side_a.community)

    response = signed_in(side_a.staff).get(reverse("admin:donors_compassionfamily_change", args=[tree["王家"].pk]))

    assert response.status_code == 200
    assert response.context["original"].snowball == TreeStats(size=5, depth=3)


def test_a_family_is_added_through_the_service(side_a: Side) -> None:
    tree = build_tree(side_a.community)
    household = HouseholdFactory(community=side_a.community, name="孙家")

    response = signed_in(side_a.staff).post(
        reverse("admin:donors_compassionfamily_add"),
        _family_form(
            community=side_a.community.pk,
            household=household.pk,
            recruited_by=tree["杨家"].pk,
            public_name_consent="on",
            public_name="孙家",
        ),
    )

    assert response.status_code == 302
    family = CompassionFamily.objects.get(household=household)
    assert (family.recruited_by, family.registered_by, family.public_name) == (tree["杨家"], side_a.staff, "孙家")
    assert family.consent_recorded_at is not None


def test_a_recruiter_of_another_community_is_not_offered_and_nothing_is_written(side_a: Side, side_b: Side) -> None:
    theirs = CompassionFamilyFactory(community=side_b.community)
    household = HouseholdFactory(community=side_a.community)

    response = signed_in(side_a.staff).post(
        reverse("admin:donors_compassionfamily_add"),
        _family_form(community=side_a.community.pk, household=household.pk, recruited_by=theirs.pk),
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["recruited_by"]
    assert list(CompassionFamily.objects.all()) == [theirs]


def test_national_staff_get_the_models_own_error_for_a_recruiter_of_another_community(
    side_a: Side, side_b: Side, national: User
) -> None:
    theirs = CompassionFamilyFactory(community=side_b.community, household__name="交子李家")
    household = HouseholdFactory(community=side_a.community)

    response = signed_in(national).post(
        reverse("admin:donors_compassionfamily_add"),
        _family_form(community=side_a.community.pk, household=household.pk, recruited_by=theirs.pk),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "recruited_by": [
            "The recruiting family, 交子李家, belongs to another community: "
            "a family can only be recruited within its own community."
        ]
    }
    assert list(CompassionFamily.objects.all()) == [theirs]


def test_a_loop_made_in_the_admin_is_a_form_error_and_nothing_is_written(side_a: Side) -> None:
    tree = build_tree(side_a.community)
    before = recruiters_in_db()
    leader = tree["王家"]

    response = signed_in(side_a.staff).post(
        reverse("admin:donors_compassionfamily_change", args=[leader.pk]),
        _family_form(leader, recruited_by=tree["杨家"].pk),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "recruited_by": [
            "杨家 cannot recruit 王家: the recruitment chain already runs 王家 → 李家 → 刘家 → 杨家, "
            "so the tree would loop."
        ]
    }
    assert recruiters_in_db() == before


def test_recruiter_autocomplete_offers_only_own_families(side_a: Side, side_b: Side) -> None:
    CompassionFamilyFactory(community=side_a.community, household__name="水井坊王家")
    CompassionFamilyFactory(community=side_b.community, household__name="交子王家")

    response = signed_in(side_a.staff).get(
        reverse("admin:autocomplete"),
        {"app_label": "donors", "model_name": "compassionfamily", "field_name": "recruited_by", "term": "王家"},
    )

    assert response.status_code == 200
    assert [row["text"] for row in json.loads(response.content)["results"]] == ["水井坊王家"]


def _leaders_and_recruits(side: Side, leaders: int, recruits_each: int) -> None:
    for _ in range(leaders):
        leader = CompassionFamilyFactory(community=side.community, opinion_leader=True)
        for _ in range(recruits_each):
            leader = CompassionFamilyFactory(recruited_by=leader, opinion_leader=True)


def test_families_changelist_query_count_does_not_grow_with_rows(
    side_a: Side, django_assert_num_queries: object
) -> None:
    _leaders_and_recruits(side_a, 1, 0)
    client = signed_in(side_a.staff)
    url = reverse("admin:donors_compassionfamily_changelist")
    with django_assert_num_queries(8):  # type: ignore[operator]
        client.get(url)
    _leaders_and_recruits(side_a, 6, 5)
    with django_assert_num_queries(8):  # type: ignore[operator]
        response = client.get(url)
    assert len(response.context["cl"].result_list) == 37


def test_enterprise_changelist_masks_the_contact_phone(side_a: Side) -> None:
    AssistantEnterpriseFactory(community=side_a.community, name="红旗连锁", contact_phone="13812345678")

    response = signed_in(side_a.staff).get(reverse("admin:donors_assistantenterprise_changelist"))

    page = response.content.decode()
    assert _column(page, "contact_phone_masked") == ["138****5678"]
    assert "13812345678" not in page


def test_media_changelist_masks_the_contact_phone(side_a: Side) -> None:
    MediaPartnerFactory(community=side_a.community, contact_phone="028-8612 3456")

    response = signed_in(side_a.staff).get(reverse("admin:donors_mediapartner_changelist"))

    page = response.content.decode()
    assert _column(page, "contact_phone_masked") == ["028****3456"]
    assert "8612 3456" not in page


@pytest.mark.parametrize("url_name", ["donors_assistantenterprise", "donors_mediapartner"])
def test_partner_changelists_list_only_own_and_hide_others(side_a: Side, side_b: Side, url_name: str) -> None:
    factory = AssistantEnterpriseFactory if url_name == "donors_assistantenterprise" else MediaPartnerFactory
    mine = factory(community=side_a.community)
    theirs = factory(community=side_b.community)
    client = signed_in(side_a.staff)

    listed = client.get(reverse(f"admin:{url_name}_changelist"))
    other = client.get(reverse(f"admin:{url_name}_change", args=[theirs.pk]))

    assert list(listed.context["cl"].result_list) == [mine]
    assert other.status_code == 404


def _enterprise_with_two_contributions(side: Side) -> None:
    EnterpriseContributionFactory.create_batch(2, enterprise=AssistantEnterpriseFactory(community=side.community))


def _media_partner_with_two_reports(side: Side) -> None:
    MediaCoverageFactory.create_batch(2, partner=MediaPartnerFactory(community=side.community))


@pytest.mark.parametrize(
    ("url_name", "add_partner", "count"),
    [
        ("donors_assistantenterprise", _enterprise_with_two_contributions, "contribution_count"),
        ("donors_mediapartner", _media_partner_with_two_reports, "coverage_count"),
    ],
)
def test_partner_changelist_query_counts_do_not_grow_with_rows(
    side_a: Side,
    django_assert_num_queries: object,
    url_name: str,
    add_partner: Callable[[Side], None],
    count: str,
) -> None:
    client = signed_in(side_a.staff)
    url = reverse(f"admin:{url_name}_changelist")
    add_partner(side_a)
    with django_assert_num_queries(7):  # type: ignore[operator]
        client.get(url)
    for _ in range(20):
        add_partner(side_a)
    with django_assert_num_queries(7):  # type: ignore[operator]
        response = client.get(url)
    assert [getattr(row, count) for row in response.context["cl"].result_list] == [2] * 21


def test_a_contribution_is_typed_in_yuan_and_kept_in_fen(side_a: Side) -> None:
    response = signed_in(side_a.staff).post(
        reverse("admin:donors_assistantenterprise_add"),
        {
            "community": side_a.community.pk,
            "name": "红旗连锁",
            "since": "2023-01-01",
            "contact_name": "李经理",
            "contact_phone": "138 1234 5678",
            "contributions-TOTAL_FORMS": "1",
            "contributions-INITIAL_FORMS": "0",
            "contributions-0-given_on": "2024-06-01",
            "contributions-0-description": "大米 200 公斤",
            "contributions-0-amount": "1234.56",
        },
    )

    assert response.status_code == 302
    enterprise = AssistantEnterprise.objects.get()
    assert list(enterprise.contributions.values_list("description", "amount_fen")) == [("大米 200 公斤", 123_456)]


def test_the_contribution_inline_shows_the_amount_in_yuan(side_a: Side) -> None:
    contribution = EnterpriseContributionFactory(enterprise__community=side_a.community, amount_fen=500_00)

    response = signed_in(side_a.staff).get(
        reverse("admin:donors_assistantenterprise_change", args=[contribution.enterprise.pk])
    )

    [formset] = response.context["inline_admin_formsets"]
    assert formset.formset.forms[0]["amount"].value() == 500


def test_roles_give_the_donors_permissions(side_a: Side) -> None:
    clerk = staff_of(side_a.community, role=StaffMembership.Role.STAFF)
    warehouse = staff_of(side_a.community, role=StaffMembership.Role.WAREHOUSE)

    assert side_a.staff.has_perm("donors.change_compassionfamily")
    assert side_a.staff.has_perm("donors.delete_enterprisecontribution")
    assert not side_a.staff.has_perm("donors.delete_compassionfamily")
    assert clerk.has_perm("donors.add_mediapartner")
    assert not clerk.has_perm("donors.delete_mediacoverage")
    assert not warehouse.has_perm("donors.view_compassionfamily")
