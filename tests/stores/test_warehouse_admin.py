"""The place a warehouse shows on every public trace is checked like any public text."""

import pytest
from django.urls import reverse

from stores.models import Warehouse
from tests.clients import signed_in
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("place", "kept"),
    [("水井坊社区义仓", True), ("水井坊义仓 电话 028-86661234", False), ("<a href=x>义仓</a>", False)],
)
def test_a_public_place_with_contact_data_or_markup_is_refused_in_the_admin(place: str, kept: bool) -> None:
    community = CommunityFactory()
    admin = signed_in(UserFactory(is_superuser=True, is_staff=True))

    response = admin.post(
        reverse("admin:stores_warehouse_add"),
        {"community": community.pk, "name": "一号库", "kind": "store", "public_place": place},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == (302 if kept else 200)
    assert Warehouse.objects.filter(public_place=place).exists() is kept
    if not kept:
        body = response.content.decode()
        assert "Leave out phone numbers" in body or "Write plain text" in body
