"""The contact people of enterprises and media partners are private."""

import pytest
from django.urls import reverse

from donors.models import MediaCoverage, MediaPartner, mask_phone
from tests.clients import signed_in
from tests.donors.conftest import Side
from yicang.api import router


@pytest.mark.parametrize(
    ("phone", "shown"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("+86 138 1234 5678", "861******5678"),
        ("028-86123456", "028****3456"),
        ("12345", "***45"),
        ("", ""),
    ],
)
def test_a_phone_is_masked_keeping_its_ends(phone: str, shown: str) -> None:
    assert mask_phone(phone) == shown


def test_no_api_endpoint_serialises_a_contact_persons_data() -> None:
    # Each viewset's serializers for a list and for one row (some choose one per action).
    exposed = {
        (prefix, name)
        for prefix, viewset, _ in router.registry
        for action in ("list", "retrieve")
        for name in viewset(action=action, format_kwarg=None).get_serializer_class()().fields
        if name in {"contact_name", "contact_phone"}
    }

    assert exposed == set()


@pytest.mark.django_db
def test_a_media_partner_is_recorded_with_its_coverage(side_a: Side) -> None:
    response = signed_in(side_a.staff).post(
        reverse("admin:donors_mediapartner_add"),
        {
            "community": side_a.community.pk,
            "name": "成都商报",
            "outlet": MediaPartner.Outlet.NEWSPAPER,
            "contact_name": "张记者",
            "contact_phone": "13987654321",
            "coverage-TOTAL_FORMS": "1",
            "coverage-INITIAL_FORMS": "0",
            "coverage-0-published_on": "2024-06-01",
            "coverage-0-title": "水井坊的义仓",
            "coverage-0-url": "news.example.cn/yicang",
        },
    )

    assert response.status_code == 302
    assert list(MediaCoverage.objects.values_list("partner__name", "title", "url")) == [
        ("成都商报", "水井坊的义仓", "https://news.example.cn/yicang")
    ]
