from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from donors.models import MediaPartner
from recipients.models import RecipientFamily
from recipients.services import register_recipient
from tests.factories import CommunityFactory, HouseholdFactory, UserFactory
from tests.factories.donors import (
    AssistantEnterpriseFactory,
    CompassionFamilyFactory,
    EnterpriseContributionFactory,
    MediaCoverageFactory,
    MediaPartnerFactory,
)
from tests.factories.volunteers import MembershipFactory, TimeDonationFactory, VolunteerFactory
from tests.reports.registers_support import csv_text, get
from volunteers.models import Volunteer
from yicang.community.models import Community
from yicang.privacy.services import erase_resident
from yicang.reports.registers import suppress

pytestmark = pytest.mark.django_db

URL = "/api/v1/registers/"
BOM = "\ufeff"


def _place(community: Community) -> dict[str, str]:
    return {
        "community": community.code,
        "community_name": community.name,
        "city": community.city,
        "district": community.district,
    }


def _csv_place(community: Community) -> str:
    return f"{community.code},{community.name},{community.city},{community.district}"


def _recipients(community: Community, month: date, *categories: list[str]) -> list[RecipientFamily]:
    by = UserFactory()
    return [
        register_recipient(household=HouseholdFactory(community=community), categories=chosen, by=by, applied_on=month)
        for chosen in categories
    ]


# --- Volunteers -------------------------------------------------------------------------------------


def test_volunteer_register_names_only_the_volunteers_who_consented() -> None:
    community = CommunityFactory()
    named = VolunteerFactory(community=community, consenting=True, resident__name="张志愿", since=date(2024, 3, 5))
    TimeDonationFactory(volunteer=named, minutes=90, confirmed=True)
    TimeDonationFactory(volunteer=named, minutes=600)  # pending: not counted
    MembershipFactory(group__community=community, resident=named.resident)
    MembershipFactory(group__community=community, resident=named.resident)
    VolunteerFactory(community=community, resident__name="李不公开", since=date(2025, 1, 20))
    VolunteerFactory(community=community, consenting=True, status=Volunteer.Status.LEFT)

    response = get(URL + "volunteers/")

    assert response.status_code == 200
    assert response.json() == {
        "next": None,
        "previous": None,
        "results": [
            {**_place(community), "name": None, "since": "2025-01", "hours": "0.00", "groups": 0},
            {**_place(community), "name": "张志愿", "since": "2024-03", "hours": "1.50", "groups": 2},
        ],
    }
    assert "李不公开" not in response.content.decode()


def test_volunteer_csv_has_the_same_rows_and_never_an_unconsented_name() -> None:
    community = CommunityFactory(name="水井坊社区", code="shuijingfang")
    named = VolunteerFactory(community=community, consenting=True, resident__name="张志愿", since=date(2024, 3, 5))
    TimeDonationFactory(volunteer=named, minutes=20, confirmed=True)
    VolunteerFactory(community=community, resident__name="李不公开", since=date(2025, 1, 20))

    text = csv_text(URL + "volunteers/csv/")

    assert text == (
        BOM + "community,community_name,city,district,name,since,hours,groups\r\n"
        "shuijingfang,水井坊社区,成都市,锦江区,,2025-01,0.00,0\r\n"
        "shuijingfang,水井坊社区,成都市,锦江区,张志愿,2024-03,0.33,0\r\n"
    )


def test_an_erased_volunteer_is_no_longer_named() -> None:
    community = CommunityFactory()
    volunteer = VolunteerFactory(community=community, consenting=True, resident__name="张志愿", since=date(2024, 3, 5))
    erase_resident(resident=volunteer.resident, by=UserFactory(is_superuser=True), reason="本人要求删除")

    response = get(URL + "volunteers/")

    assert [row["name"] for row in response.json()["results"]] == [None]
    assert "张志愿" not in csv_text(URL + "volunteers/csv/")


def test_volunteer_filters_by_place_month_and_consent() -> None:
    here = CommunityFactory(code="here", city="成都市")
    there = CommunityFactory(code="there", city="绵阳市")
    VolunteerFactory(community=here, consenting=True, resident__name="三月", since=date(2024, 3, 31))
    VolunteerFactory(community=here, consenting=True, resident__name="四月", since=date(2024, 4, 1))
    VolunteerFactory(community=here, resident__name="五月", since=date(2024, 5, 1))
    VolunteerFactory(community=there, consenting=True, resident__name="绵阳", since=date(2024, 4, 2))

    def names(query: str) -> list[str | None]:
        response = get(URL + "volunteers/?" + query)
        assert response.status_code == 200, response.content
        return [row["name"] for row in response.json()["results"]]

    assert names("community=here") == [None, "四月", "三月"]
    assert names("city=绵阳市") == ["绵阳"]
    assert names("since_from=2024-04") == ["绵阳", None, "四月"]
    assert names("since_to=2024-04") == ["绵阳", "四月", "三月"]
    assert names("since_from=2024-04&since_to=2024-04&community=here") == ["四月"]
    assert names("named=false") == [None]
    assert names("community=nowhere") == []
    assert csv_text(URL + "volunteers/csv/?community=there&since_from=2024-04").splitlines()[1:] == [
        f"{_csv_place(there)},绵阳,2024-04,0.00,0"
    ]


def test_a_month_that_is_not_yyyy_mm_is_a_400() -> None:
    response = get(URL + "volunteers/?since_from=2024-13")

    assert response.status_code == 400
    assert response.json() == {"since_from": ["Give a month as YYYY-MM."]}


def test_cursor_pages_do_not_move_when_volunteers_join_meanwhile(
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[list[Callable[[], None]]]],
) -> None:
    community = CommunityFactory()
    for name in ("一", "二", "三"):
        VolunteerFactory(community=community, consenting=True, resident__name=name)

    first = get(URL + "volunteers/?page_size=2").json()
    with django_capture_on_commit_callbacks(execute=True):
        VolunteerFactory(community=community, consenting=True, resident__name="新")
    second = get(first["next"]).json()
    back = get(second["previous"]).json()
    fresh = get(URL + "volunteers/?page_size=2").json()

    assert [row["name"] for row in first["results"]] == ["三", "二"]
    assert [row["name"] for row in second["results"]] == ["一"]
    assert second["next"] is None
    assert [row["name"] for row in back["results"]] == ["三", "二"]
    assert [row["name"] for row in fresh["results"]] == ["新", "三"]


# --- Donor families ---------------------------------------------------------------------------------


def test_donor_family_register_shows_a_public_name_only_with_consent() -> None:
    community = CommunityFactory(name="水井坊社区", code="shuijingfang")
    leader = CompassionFamilyFactory(
        community=community, consenting=True, household__name="王家", opinion_leader=True, joined_on=date(2023, 6, 1)
    )
    CompassionFamilyFactory(recruited_by=leader, household__name="不愿公开的赵家", joined_on=date(2024, 2, 9))
    CompassionFamilyFactory(recruited_by=leader, consenting=True, household__name="刘家", joined_on=date(2024, 2, 10))

    response = get(URL + "donor-families/")

    assert response.json()["results"] == [
        {**_place(community), "name": "刘家", "joined": "2024-02", "opinion_leader": False, "families_brought": 0},
        {**_place(community), "name": None, "joined": "2024-02", "opinion_leader": False, "families_brought": 0},
        {**_place(community), "name": "王家", "joined": "2023-06", "opinion_leader": True, "families_brought": 2},
    ]
    assert csv_text(URL + "donor-families/csv/?opinion_leader=true") == (
        BOM + "community,community_name,city,district,name,joined,opinion_leader,families_brought\r\n"
        "shuijingfang,水井坊社区,成都市,锦江区,王家,2023-06,true,2\r\n"
    )
    assert "赵家" not in response.content.decode()
    assert "赵家" not in csv_text(URL + "donor-families/csv/")


# --- Assistant enterprises and media ------------------------------------------------------------------


def test_enterprise_register_names_an_enterprise_only_with_its_consent_and_sums_what_it_gave() -> None:
    community = CommunityFactory(name="水井坊社区", code="shuijingfang")
    named = AssistantEnterpriseFactory(
        community=community, name="蓝天超市", public_consent=True, since=date(2023, 1, 9)
    )
    EnterpriseContributionFactory(enterprise=named, amount_fen=50000, given_on=date(2024, 5, 1))
    EnterpriseContributionFactory(enterprise=named, amount_fen=None, given_on=date(2024, 7, 2), description="理发服务")
    AssistantEnterpriseFactory(community=community, name="匿名公司", since=date(2024, 8, 1))

    response = get(URL + "assistant-enterprises/")

    assert response.json()["results"] == [
        {
            **_place(community),
            "name": None,
            "since": "2024-08",
            "contributions": 0,
            "contributed_fen": 0,
            "last_contribution": None,
        },
        {
            **_place(community),
            "name": "蓝天超市",
            "since": "2023-01",
            "contributions": 2,
            "contributed_fen": 50000,
            "last_contribution": "2024-07",
        },
    ]
    assert csv_text(URL + "assistant-enterprises/csv/") == (
        BOM + "community,community_name,city,district,name,since,contributions,contributed_fen,last_contribution\r\n"
        "shuijingfang,水井坊社区,成都市,锦江区,,2024-08,0,0,\r\n"
        "shuijingfang,水井坊社区,成都市,锦江区,蓝天超市,2023-01,2,50000,2024-07\r\n"
    )
    assert "匿名公司" not in response.content.decode()
    assert "联系人" not in response.content.decode()


def test_media_register_lists_the_reports_of_named_partners_only() -> None:
    community = CommunityFactory(name="水井坊社区", code="shuijingfang")
    named = MediaPartnerFactory(community=community, name="成都商报", public_consent=True)
    MediaCoverageFactory(partner=named, title="义仓十年", published_on=date(2021, 5, 1), url="https://e.cn/1")
    MediaCoverageFactory(partner=named, title="一勺米", published_on=date(2023, 9, 9), url="")
    quiet = MediaPartnerFactory(community=community, name="不具名电台", outlet=MediaPartner.Outlet.RADIO)
    MediaCoverageFactory(partner=quiet, title="不具名电台的节目", url="https://radio.example.cn/x")

    response = get(URL + "media/")

    assert response.json()["results"] == [
        {**_place(community), "name": None, "outlet": "radio", "coverage_count": 1, "coverage": []},
        {
            **_place(community),
            "name": "成都商报",
            "outlet": "newspaper",
            "coverage_count": 2,
            "coverage": [
                {"published_on": "2023-09-09", "title": "一勺米", "url": ""},
                {"published_on": "2021-05-01", "title": "义仓十年", "url": "https://e.cn/1"},
            ],
        },
    ]
    assert csv_text(URL + "media/csv/") == (
        BOM + "community,community_name,city,district,name,outlet,coverage_count,"
        "coverage_published_on,coverage_title,coverage_url\r\n"
        "shuijingfang,水井坊社区,成都市,锦江区,,radio,1,,,\r\n"
        "shuijingfang,水井坊社区,成都市,锦江区,成都商报,newspaper,2,2023-09-09,一勺米,\r\n"
        "shuijingfang,水井坊社区,成都市,锦江区,成都商报,newspaper,2,2021-05-01,义仓十年,https://e.cn/1\r\n"
    )
    assert "不具名电台" not in response.content.decode()
    assert [row["name"] for row in get(URL + "media/?outlet=newspaper").json()["results"]] == ["成都商报"]


# --- Recipient families: aggregates only ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "published"), [(0, 0), (1, None), (2, None), (3, None), (4, None), (5, 5), (6, 6), (120, 120)]
)
def test_counts_of_one_to_four_households_are_suppressed(count: int, published: int | None) -> None:
    assert suppress(count) == published


def _cells(**values: int | None) -> list[dict[str, Any]]:
    order = ["elderly_alone", "disabled", "low_income", "seriously_ill", "left_behind_children", "other"]
    return [
        {"category": category, "households": values.get(category, 0), "suppressed": values.get(category, 0) is None}
        for category in order
    ]


def test_recipient_register_counts_per_community_month_and_category_and_suppresses_small_cells() -> None:
    here = CommunityFactory(name="水井坊社区", code="shuijingfang")
    there = CommunityFactory(name="交子社区", code="jiaozi", district="高新区")
    _recipients(here, date(2025, 3, 10), ["elderly_alone", "disabled"], *[["elderly_alone"]] * 4)
    _recipients(here, date(2025, 4, 1), *[["low_income", "seriously_ill"]] * 5, ["seriously_ill"])
    _recipients(there, date(2025, 3, 31), ["left_behind_children"], ["left_behind_children"])

    response = get(URL + "recipient-families/")

    assert response.status_code == 200
    assert response.json() == {
        "next": None,
        "previous": None,
        "results": [
            {**_place(here), "month": "2025-04", "categories": _cells(low_income=5, seriously_ill=6)},
            {**_place(here), "month": "2025-03", "categories": _cells(elderly_alone=5, disabled=None)},
            {**_place(there), "month": "2025-03", "categories": _cells(left_behind_children=None)},
        ],
    }
    assert csv_text(URL + "recipient-families/csv/?community=jiaozi") == (
        BOM + "community,community_name,city,district,month,category,households,suppressed\r\n"
        "jiaozi,交子社区,成都市,高新区,2025-03,elderly_alone,0,false\r\n"
        "jiaozi,交子社区,成都市,高新区,2025-03,disabled,0,false\r\n"
        "jiaozi,交子社区,成都市,高新区,2025-03,low_income,0,false\r\n"
        "jiaozi,交子社区,成都市,高新区,2025-03,seriously_ill,0,false\r\n"
        "jiaozi,交子社区,成都市,高新区,2025-03,left_behind_children,,true\r\n"
        "jiaozi,交子社区,成都市,高新区,2025-03,other,0,false\r\n"
    )


def test_no_filter_of_the_recipient_register_yields_a_count_that_reveals_a_suppressed_cell() -> None:
    here = CommunityFactory(code="shuijingfang", city="成都市")
    _recipients(here, date(2025, 3, 10), ["elderly_alone", "disabled"], *[["elderly_alone"]] * 4)
    _recipients(here, date(2025, 4, 2), *[["elderly_alone"]] * 3)
    _recipients(CommunityFactory(code="other", city="成都市"), date(2025, 3, 3), *[["disabled"]] * 6)

    def cells(query: str) -> dict[tuple[str, str, str], int | None]:
        response = get(URL + "recipient-families/?page_size=500&" + query)
        assert response.status_code == 200, response.content
        rows = response.json()["results"]
        # Nothing but cells is published: no total per row, per month or per community.
        assert all(
            set(row) == {"community", "community_name", "city", "district", "month", "categories"} for row in rows
        )
        return {
            (row["community"], row["month"], cell["category"]): cell["households"]
            for row in rows
            for cell in row["categories"]
        }

    everything = cells("")
    # Filters choose cells; they never count again over another set of families.
    for query in (
        "community=shuijingfang",
        "city=成都市",
        "month_from=2025-03&month_to=2025-03",
        "month_from=2025-04",
        "category=elderly_alone",
        "category=disabled&community=shuijingfang",
    ):
        chosen = cells(query)
        assert chosen, query
        assert {key: everything[key] for key in chosen} == chosen, query
    assert everything[("shuijingfang", "2025-03", "disabled")] is None
    assert everything[("shuijingfang", "2025-04", "elderly_alone")] is None
    assert everything[("other", "2025-03", "disabled")] == 6
    assert cells("category=disabled&community=shuijingfang") == {
        ("shuijingfang", "2025-04", "disabled"): 0,
        ("shuijingfang", "2025-03", "disabled"): None,
    }


def test_recipient_register_lists_no_family() -> None:
    community = CommunityFactory()
    families = _recipients(community, date(2025, 3, 10), *[["elderly_alone"]] * 5)
    names = [family.household.name for family in families]

    body = get(URL + "recipient-families/").content.decode() + csv_text(URL + "recipient-families/csv/")

    assert all(name not in body for name in names)
    assert all(family.household.address not in body for family in families)


# --- Query counts -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("register", "queries"),
    [("volunteers", 1), ("donor-families", 1), ("assistant-enterprises", 1), ("media", 2), ("recipient-families", 1)],
)
def test_each_register_reads_a_page_and_a_whole_csv_in_a_fixed_number_of_queries(
    register: str, queries: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(3):
        community = CommunityFactory()
        for _ in range(3):
            volunteer = VolunteerFactory(community=community, consenting=True)
            TimeDonationFactory(volunteer=volunteer, confirmed=True)
            MembershipFactory(group__community=community, resident=volunteer.resident)
        leader = CompassionFamilyFactory(community=community, consenting=True)
        CompassionFamilyFactory.create_batch(3, recruited_by=leader)
        EnterpriseContributionFactory.create_batch(2, enterprise=AssistantEnterpriseFactory(community=community))
        MediaCoverageFactory.create_batch(2, partner=MediaPartnerFactory(community=community, public_consent=True))
        _recipients(community, timezone.localdate(), *[["elderly_alone", "disabled"]] * 6)

    with django_assert_num_queries(queries):
        response = get(URL + f"{register}/?page_size=5")
    assert response.status_code == 200
    with django_assert_num_queries(queries):
        lines = csv_text(URL + f"{register}/csv/").splitlines()
    assert len(lines) > 3


def test_a_browser_gets_the_browsable_page_with_the_filters() -> None:
    VolunteerFactory(consenting=True, resident__name="张志愿")

    response = Client().get(URL + "volunteers/", HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert 'name="since_from"' in response.content.decode()
    assert "张志愿" in response.content.decode()
