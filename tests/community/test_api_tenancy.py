"""Staff of community A can neither see nor change anything of community B through the API."""

import pytest

from tests.clients import api
from tests.community.conftest import Side
from tests.factories import HouseholdFactory, ResidentFactory, UserFactory
from yicang.community.models import Household, Resident, User

pytestmark = pytest.mark.django_db


def test_list_shows_only_own_communitys_households(side_a: Side, side_b: Side) -> None:
    response = api(side_a.staff).get("/api/v1/households/")

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert [row["name"] for row in response.json()["results"]] == ["水井坊社区王家"]


@pytest.mark.parametrize("resource", ["households", "residents", "communities"])
def test_another_communitys_object_is_404(side_a: Side, side_b: Side, resource: str) -> None:
    pk = {"households": side_b.household.pk, "residents": side_b.resident.pk, "communities": side_b.community.pk}

    response = api(side_a.staff).get(f"/api/v1/{resource}/{pk[resource]}/")

    assert response.status_code == 404


def test_changing_another_communitys_household_is_404_and_changes_nothing(side_a: Side, side_b: Side) -> None:
    response = api(side_a.staff).patch(f"/api/v1/households/{side_b.household.pk}/", {"name": "改名"}, format="json")

    assert response.status_code == 404
    side_b.household.refresh_from_db()
    assert side_b.household.name == "交子社区王家"


def test_creating_a_household_in_another_community_is_400_and_writes_nothing(side_a: Side, side_b: Side) -> None:
    response = api(side_a.staff).post(
        "/api/v1/households/", {"community": side_b.community.pk, "name": "李家", "address": "交子街1号"}, format="json"
    )

    assert response.status_code == 400
    assert "community" in response.json()
    assert not Household.objects.filter(name="李家").exists()


def test_moving_own_household_into_another_community_is_400(side_a: Side, side_b: Side) -> None:
    response = api(side_a.staff).patch(
        f"/api/v1/households/{side_a.household.pk}/", {"community": side_b.community.pk}, format="json"
    )

    assert response.status_code == 400
    side_a.household.refresh_from_db()
    assert side_a.household.community == side_a.community


def test_a_resident_cannot_join_a_household_of_another_community(side_a: Side, national: User) -> None:
    other = HouseholdFactory(name="别处的家")

    response = api(national).post(
        "/api/v1/residents/",
        {"community": side_a.community.pk, "household": other.pk, "name": "张三", "birth_year": 1980},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"household": ["该家庭属于其他社区。"]}
    assert not Resident.objects.filter(name="张三").exists()


def test_staff_create_a_resident_in_their_community(side_a: Side) -> None:
    response = api(side_a.staff).post(
        "/api/v1/residents/",
        {"community": side_a.community.pk, "household": side_a.household.pk, "name": "王小燕", "birth_year": 2012},
        format="json",
    )

    assert response.status_code == 201
    resident = Resident.objects.get(name="王小燕")
    assert (resident.community, resident.household, resident.birth_year) == (
        side_a.community,
        side_a.household,
        2012,
    )


def test_a_birth_year_in_the_future_is_a_clear_400(side_a: Side) -> None:
    response = api(side_a.staff).post(
        "/api/v1/residents/", {"community": side_a.community.pk, "name": "未来人", "birth_year": 2999}, format="json"
    )

    assert response.status_code == 400
    assert "birth_year" in response.json()
    assert not Resident.objects.filter(name="未来人").exists()


def test_anonymous_and_non_staff_users_are_refused(side_a: Side) -> None:
    resident_user = UserFactory()

    assert api().get("/api/v1/households/").status_code == 403
    assert api(resident_user).get("/api/v1/households/").status_code == 403


def test_national_staff_list_every_community(side_a: Side, side_b: Side, national: User) -> None:
    response = api(national).get("/api/v1/communities/")

    assert sorted(row["code"] for row in response.json()["results"]) == ["jiaozi", "shuijingfang"]


@pytest.mark.parametrize(
    ("resource", "field"), [("residents", "household"), ("households", "community"), ("residents", "community")]
)
def test_filtering_by_another_communitys_row_is_an_invalid_choice(
    side_a: Side, side_b: Side, resource: str, field: str
) -> None:
    other = {"household": side_b.household.pk, "community": side_b.community.pk}[field]

    response = api(side_a.staff).get(f"/api/v1/{resource}/", {field: other})

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_household_filter_by_name(side_a: Side) -> None:
    HouseholdFactory(community=side_a.community, name="李家")

    response = api(side_a.staff).get("/api/v1/households/", {"search": "李"})

    assert [row["name"] for row in response.json()["results"]] == ["李家"]


@pytest.mark.parametrize("resource", ["households", "residents", "communities"])
def test_list_query_count_does_not_grow_with_rows(
    side_a: Side, resource: str, django_assert_num_queries: object
) -> None:
    client = api(side_a.staff)
    with django_assert_num_queries(6):  # type: ignore[operator]
        client.get(f"/api/v1/{resource}/")
    ResidentFactory.create_batch(10, household__community=side_a.community)
    with django_assert_num_queries(6):  # type: ignore[operator]
        response = client.get(f"/api/v1/{resource}/")
    assert response.status_code == 200
