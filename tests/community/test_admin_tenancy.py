"""Staff of community A can neither see nor change anything of community B through the admin."""

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from tests.clients import signed_in
from tests.community.conftest import Side
from tests.factories import CommunityFactory, HouseholdFactory
from yicang.community.models import Household, Resident, StaffMembership, User
from yicang.community.services import add_staff_member

pytestmark = pytest.mark.django_db


def test_changelist_lists_only_the_staff_members_own_households(side_a: Side, side_b: Side) -> None:
    response = signed_in(side_a.staff).get(reverse("admin:community_household_changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [side_a.household]
    assert side_b.household.name not in response.content.decode()


def test_list_filter_offers_only_the_staff_members_communities(side_a: Side, side_b: Side) -> None:
    third = CommunityFactory(name="双槐树社区")
    add_staff_member(user=side_a.staff, community=third, role=StaffMembership.Role.STAFF)

    response = signed_in(side_a.staff).get(reverse("admin:community_household_changelist"))

    community_filter = next(spec for spec in response.context["cl"].filter_specs if spec.field_path == "community")
    assert sorted(name for _, name in community_filter.lookup_choices) == ["双槐树社区", "水井坊社区"]


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_another_communitys_object_is_not_found(side_a: Side, side_b: Side, view: str) -> None:
    url = reverse(f"admin:community_household_{view}", args=[side_b.household.pk])

    response = signed_in(side_a.staff).get(url)

    assert response.status_code == 404
    assert side_b.household.name not in response.content.decode()


def test_posting_a_change_to_another_communitys_object_changes_nothing(side_a: Side, side_b: Side) -> None:
    url = reverse("admin:community_household_change", args=[side_b.household.pk])

    response = signed_in(side_a.staff).post(
        url, {"community": side_b.community.pk, "name": "改名", "address": "", "members-TOTAL_FORMS": "0"}
    )

    assert response.status_code == 404
    side_b.household.refresh_from_db()
    assert side_b.household.name == "交子社区王家"
    assert not LogEntry.objects.exists()


def test_adding_a_household_to_another_community_is_a_form_error(side_a: Side, side_b: Side) -> None:
    response = signed_in(side_a.staff).post(
        reverse("admin:community_household_add"),
        {
            "community": side_b.community.pk,
            "name": "新来的李家",
            "address": "交子街1号",
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "community" in response.context["adminform"].form.errors
    assert not Household.objects.filter(name="新来的李家").exists()


def test_add_form_offers_only_own_communities_and_households(side_a: Side, side_b: Side) -> None:
    response = signed_in(side_a.staff).get(reverse("admin:community_resident_add"))

    form = response.context["adminform"].form
    assert list(form.fields["community"].queryset) == [side_a.community]
    assert list(form.fields["household"].queryset) == [side_a.household]


def test_autocomplete_offers_only_own_households(side_a: Side, side_b: Side) -> None:
    response = signed_in(side_a.staff).get(
        reverse("admin:autocomplete"),
        {"app_label": "community", "model_name": "resident", "field_name": "household", "term": "王家"},
    )

    assert response.status_code == 200
    assert [row["text"] for row in json.loads(response.content)["results"]] == ["水井坊社区王家"]


def test_an_admin_action_ignores_another_communitys_ids(side_a: Side, side_b: Side) -> None:
    membership_b = side_b.staff.memberships.get()

    response = signed_in(side_a.staff).post(
        reverse("admin:community_staffmembership_changelist"),
        {"action": "delete_selected", "_selected_action": [membership_b.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert side_b.staff.memberships.count() == 1


def test_users_of_other_communities_are_invisible(side_a: Side, side_b: Side) -> None:
    response = signed_in(side_a.staff).get(reverse("admin:community_user_changelist"))

    assert [user.username for user in response.context["cl"].result_list] == ["shuijingfang-manager"]


def test_centre_staff_cannot_grant_themselves_superuser(side_a: Side) -> None:
    response = signed_in(side_a.staff).get(reverse("admin:community_user_change", args=[side_a.staff.pk]))

    # Managers only view users (see roles.py), and even a user-changer could not edit these fields.
    assert response.status_code == 200
    assert "is_superuser" not in response.context["adminform"].form.fields


def test_national_staff_see_every_community(side_a: Side, side_b: Side, national: User) -> None:
    response = signed_in(national).get(reverse("admin:community_resident_changelist"))

    assert sorted(r.name for r in response.context["cl"].result_list) == ["交子社区王秀英", "水井坊社区王秀英"]


def test_household_changelist_query_count_does_not_grow_with_rows(
    side_a: Side, django_assert_num_queries: object
) -> None:
    client = signed_in(side_a.staff)
    url = reverse("admin:community_household_changelist")
    with django_assert_num_queries(7):  # type: ignore[operator]
        client.get(url)
    HouseholdFactory.create_batch(20, community=side_a.community)
    with django_assert_num_queries(7):  # type: ignore[operator]
        response = client.get(url)
    assert response.context["cl"].result_count == 21


@pytest.mark.parametrize(
    "url_name", ["community_community", "community_resident", "community_staffmembership", "community_user"]
)
def test_other_changelists_have_pinned_query_counts(
    side_a: Side, django_assert_max_num_queries: object, url_name: str
) -> None:
    for n in range(5):
        HouseholdFactory(community=side_a.community)
        Resident.objects.create(community=side_a.community, name=f"居民{n}")
    client = signed_in(side_a.staff)
    with django_assert_max_num_queries(9):  # type: ignore[operator]
        response = client.get(reverse(f"admin:{url_name}_changelist"))
    assert response.status_code == 200
