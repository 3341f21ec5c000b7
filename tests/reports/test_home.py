import re

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import CommunityFactory, HouseholdFactory, ResidentFactory
from yicang.reports.selectors import HEADLINE_CACHE_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_figures() -> None:
    cache.delete(HEADLINE_CACHE_KEY)


def test_home_page_is_in_chinese_by_default_with_real_figures() -> None:
    community = CommunityFactory(city="成都市")
    CommunityFactory(city="北京市", province="北京市")
    ResidentFactory.create_batch(3, household=HouseholdFactory(community=community))

    response = Client().get("/")

    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert response.context["figures"]["communities"] == 2
    assert response.context["figures"]["cities"] == 2
    assert response.context["figures"]["households"] == 1
    assert response.context["figures"]["residents"] == 3
    assert "邻里互助" in response.content.decode()


def test_language_switch_turns_the_portal_to_english() -> None:
    client = Client()

    switch = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")

    assert switch.status_code == 302
    assert response["Content-Language"] == "en"
    assert "Neighbours helping neighbours" in response.content.decode()


@pytest.mark.parametrize("page", ["/", "/api/docs/", "/admin/login/"])
def test_every_asset_a_page_loads_is_served_by_us(page: str) -> None:
    html = Client().get(page).content.decode()

    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert [s for s in sources if s.startswith(("http:", "https:", "//"))] == []
    for path in (s for s in sources if s.startswith("/static/")):
        assert Client().get(path).status_code == 200, path


def test_home_page_is_mobile_first() -> None:
    html = Client().get("/").content.decode()

    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_home_page_query_count_is_pinned(django_assert_num_queries: object) -> None:
    CommunityFactory.create_batch(5)
    with django_assert_num_queries(3):  # type: ignore[operator]
        Client().get("/")
    with django_assert_num_queries(0):  # type: ignore[operator]
        Client().get("/")  # the figures are cached


def test_on_a_phone_the_links_fold_under_a_menu_button_that_needs_no_script() -> None:
    html = Client().get("/").content.decode()

    toggle = re.search(r'<input type="checkbox" id="([\w-]+)" class="menu-toggle">', html)
    assert toggle is not None
    assert f'<label for="{toggle[1]}" class="menu-button">菜单</label>' in html
    # The toggle comes right before the links it opens (the stylesheet shows them on :checked ~ .site-nav).
    assert html.index("menu-button") < html.index('class="site-nav"')
    assert "<script" not in html.split("</header>")[0]
