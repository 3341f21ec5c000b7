import json
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import CommunityFactory
from tests.reports.world import CHENGDU, FIRST, NATION, SECOND, THIRD, build_world
from yicang.community.models import Community
from yicang.core.months import add_months, month_bounds, this_month
from yicang.reports.models import FIGURES, MonthlyStatistic
from yicang.reports.statistics import refresh_statistics
from yicang.reports.tasks import refresh_statistics_task

pytestmark = pytest.mark.django_db


def _figures(row: MonthlyStatistic) -> dict[str, int]:
    return {name: getattr(row, name) for name in FIGURES}


def _rows() -> list[tuple[str, str, str, str]]:
    return list(MonthlyStatistic.objects.order_by("scope", "key").values_list("scope", "key", "name", "parent"))


def test_a_month_is_counted_per_community_and_added_up_into_cities_and_the_nation() -> None:
    world = build_world()

    written = refresh_statistics(this_month())

    assert written == 6
    month = MonthlyStatistic.objects.filter(month=this_month())
    assert _figures(month.get(scope="community", community=world.first)) == FIRST
    assert _figures(month.get(scope="community", community=world.second)) == SECOND
    assert _figures(month.get(scope="community", community=world.third)) == THIRD
    assert _figures(month.get(scope="city", key="四川省|成都市")) == CHENGDU
    assert _figures(month.get(scope="city", key="四川省|绵阳市")) == THIRD
    assert _figures(month.get(scope="nation")) == NATION
    assert _rows() == [
        ("city", "四川省|成都市", "四川省 成都市", ""),
        ("city", "四川省|绵阳市", "四川省 绵阳市", ""),
        ("community", str(world.first.pk), "水井坊社区", "四川省|成都市"),
        ("community", str(world.second.pk), "交子社区", "四川省|成都市"),
        ("community", str(world.third.pk), "城厢社区", "四川省|绵阳市"),
        ("nation", "", "", ""),
    ]


def test_last_month_counts_its_own_flows_and_the_stocks_of_its_end() -> None:
    world = build_world()
    last = add_months(this_month(), -1)
    Community.objects.update(created_at=month_bounds(add_months(this_month(), -2))[0])

    refresh_statistics(last)

    # Everything but the communities was made this month, and 45 minutes were given last month.
    first = MonthlyStatistic.objects.get(scope="community", community=world.first, month=last)
    nothing = dict.fromkeys(FIGURES, 0) | {"communities": 1}
    assert _figures(first) == nothing | {"minutes_given": 45}
    assert _figures(MonthlyStatistic.objects.get(scope="nation", month=last)) == nothing | {
        "communities": 3,
        "minutes_given": 45,
    }


def test_a_community_opened_after_the_month_is_not_in_it() -> None:
    build_world()

    refresh_statistics(add_months(this_month(), -1))

    assert list(MonthlyStatistic.objects.values_list("scope", "communities", "minutes_given")) == [("nation", 0, 0)]


def test_refreshing_again_replaces_the_month_and_counts_the_same() -> None:
    world = build_world()
    refresh_statistics(this_month())
    before = sorted((r.scope, r.key, tuple(_figures(r).values())) for r in MonthlyStatistic.objects.all())

    assert refresh_statistics_task(f"{this_month():%Y-%m}") == [f"{this_month():%Y-%m}"]

    after = sorted((r.scope, r.key, tuple(_figures(r).values())) for r in MonthlyStatistic.objects.all())
    assert after == before
    assert MonthlyStatistic.objects.count() == 6
    assert world.first.pk in MonthlyStatistic.objects.values_list("community_id", flat=True)


def test_the_refresh_takes_the_same_number_of_queries_for_more_communities(
    django_assert_num_queries: object,
) -> None:
    build_world()
    with django_assert_num_queries(16):  # type: ignore[operator]
        refresh_statistics(this_month())
    CommunityFactory.create_batch(5, city="德阳市")
    with django_assert_num_queries(16):  # type: ignore[operator]
        assert refresh_statistics(this_month()) == 12


def test_the_task_refuses_what_is_not_a_month() -> None:
    with pytest.raises(ValueError, match="not a month"):
        refresh_statistics_task("2026-13")
    assert not MonthlyStatistic.objects.exists()


# --- The public page -------------------------------------------------------------------------------


def _page(url: str) -> tuple[str, dict[str, object]]:
    response = Client().get(url)
    assert response.status_code == 200
    html = response.content.decode()
    found = re.search(r'<script id="statistics-data" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None
    return html, json.loads(found[1])


def test_the_nation_page_shows_the_figures_and_embeds_the_charts_data() -> None:
    build_world()
    refresh_statistics(this_month())

    html, data = _page(reverse("reports:statistics"))

    months = [f"{add_months(this_month(), n):%Y-%m}" for n in range(-11, 1)]
    assert data["months"] == months
    assert data["items_in"] == [0] * 11 + [5]
    assert data["items_out"] == [0] * 11 + [2]
    assert data["hours_given"] == [0] * 11 + [2.0]
    assert data["money_raised"] == [0] * 11 + [50.0]
    assert data["money_spent"] == [0] * 11 + [12.0]
    assert data["families_served"] == [0] * 11 + [1]
    assert all(text in html for text in ["四川省 成都市", "四川省 绵阳市", "¥50.00", "¥12.00"])


def test_a_city_and_a_community_have_their_own_pages() -> None:
    build_world()
    refresh_statistics(this_month())

    city, city_data = _page(reverse("reports:statistics") + "?scope=city&key=四川省|成都市")
    community, community_data = _page(reverse("reports:statistics") + "?community=jiaozi")

    assert ("水井坊社区" in city, "交子社区" in city, "城厢社区" in city) == (True, True, False)
    assert city_data["hours_given"] == [0] * 11 + [2.0]
    assert all(text in community for text in ["交子社区", f"?scope=city&amp;key={quote('四川省|成都市')}"])
    assert community_data["hours_given"] == [0] * 11 + [0.5]
    assert community_data["items_in"] == [0] * 12


def test_an_unknown_place_is_a_404_and_an_uncounted_nation_says_so() -> None:
    client = Client()
    assert client.get(reverse("reports:statistics") + "?community=nowhere").status_code == 404
    assert client.get(reverse("reports:statistics") + "?scope=city&key=x|y").status_code == 404
    response = client.get(reverse("reports:statistics"))
    assert response.status_code == 200
    assert b"statistics-data" not in response.content


@pytest.mark.parametrize(
    ("query", "queries"), [("", 2), ("?scope=city&key=四川省|成都市", 2), ("?community=shuijingfang", 1)]
)
def test_the_page_reads_only_the_statistics_in_one_or_two_queries(
    query: str, queries: int, django_assert_num_queries: object
) -> None:
    """The place's twelve months, and the latest month of its parts; nothing else, whatever the size."""
    build_world()
    refresh_statistics(this_month())
    client = Client()
    with django_assert_num_queries(queries):  # type: ignore[operator]
        response = client.get(reverse("reports:statistics") + query)
    assert response.status_code == 200


def test_the_page_loads_nothing_from_elsewhere_and_has_no_inline_script() -> None:
    build_world()
    refresh_statistics(this_month())

    html, _data = _page(reverse("reports:statistics"))

    assert re.findall(r'(?:src|href)="(?:https?:)?//', html) == []
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts == [
        ' src="/static/vendor/chartjs-4.6.1/chart.umd.min.js" defer',
        ' src="/static/reports/statistics.js" defer',
        ' id="statistics-data" type="application/json"',
    ]
