from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from yicang.community.models import Community, Household, Resident, User

pytestmark = pytest.mark.django_db


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_builds_shuijingfang_and_prints_new_logins_once() -> None:
    first = _seed("--households", "5")
    counts = (Community.objects.count(), Household.objects.count(), Resident.objects.count(), User.objects.count())
    second = _seed("--households", "5")

    assert sorted(Community.objects.values_list("name", flat=True)) == ["交子社区", "水井坊社区"]
    assert set(Community.objects.values_list("street", flat=True)) == {"水井坊街道"}
    assert counts[:2] == (2, 10)
    assert counts[2] >= 10
    assert (Community.objects.count(), Household.objects.count(), Resident.objects.count(), User.objects.count()) == (
        counts
    )
    assert first.count("password unchanged") == 0
    assert second.count("password unchanged") == 3


def test_the_printed_login_works_and_sees_only_its_community() -> None:
    output = _seed("--households", "3")
    password = next(line.split()[1] for line in output.splitlines() if line.strip().startswith("jiaozi"))
    client = Client()

    assert client.login(username="jiaozi", password=password)
    response = client.get("/api/v1/households/")

    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert {row["community"] for row in response.json()["results"]} == {Community.objects.get(code="jiaozi").pk}


def test_seed_demo_refuses_production(settings: object) -> None:
    settings.PRODUCTION = True  # type: ignore[attr-defined]

    with pytest.raises(CommandError, match="Refusing to load demo data in production"):
        _seed()
    assert not Community.objects.exists()


def test_the_demo_is_counted_for_the_publicity_pages_last() -> None:
    from stores.models import Item, MonthlyCategoryCount, MonthlySummary

    _seed("--households", "5")

    counted = MonthlyCategoryCount.objects.filter(community__code="shuijingfang")
    assert (
        sum(counted.values_list("items_in", flat=True)) == Item.objects.filter(community__code="shuijingfang").count()
    )
    assert (
        sum(counted.values_list("items_sold", flat=True))
        == Item.objects.filter(community__code="shuijingfang", status="sold").count()
    )
    served = Item.objects.filter(community__code="shuijingfang", status="delivered").values("delivery__family")
    assert MonthlySummary.objects.get(community__code="shuijingfang").families_served == served.distinct().count()


def test_the_demo_is_in_the_public_log_under_a_signed_checkpoint() -> None:
    from stores.models import ItemEvent
    from yicang.ledger.log.models import Checkpoint, LogEntry
    from yicang.ledger.models import Transaction

    _seed("--households", "5")

    assert LogEntry.objects.count() == ItemEvent.objects.count() + Transaction.objects.count()
    assert Checkpoint.objects.get().tree_size == LogEntry.objects.count()
