from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from stores.models import EventKind, InventoryCheck, Item, StoreAlert
from stores.services import inventory
from stores.services.inventory import close_check, start_check
from stores.services.items import record_event
from stores.tasks import open_due_checks, raise_expiry_alerts
from tests.factories import UserFactory, staff_of
from tests.factories.stores import WarehouseFactory, shelved

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


def _started(warehouse: object, days_ago: int, *, done: bool = True) -> InventoryCheck:
    check = start_check(warehouse=warehouse, by=UserFactory())  # type: ignore[arg-type]
    if done:
        close_check(inventory_check=check, by=UserFactory())  # an empty warehouse: done at once
    InventoryCheck.objects.filter(pk=check.pk).update(started_at=timezone.now() - timedelta(days=days_ago))
    return check


def test_due_checks_are_opened_once_with_an_alert_to_the_manager() -> None:
    never = WarehouseFactory(check_every_days=7)
    manager = staff_of(never.community, role="warehouse")
    overdue = WarehouseFactory(check_every_days=7, manager=manager, community=never.community)
    recent = WarehouseFactory(check_every_days=7)
    busy = WarehouseFactory(check_every_days=7)
    unscheduled = WarehouseFactory()
    _started(overdue, days_ago=7)
    _started(recent, days_ago=6)
    _started(busy, days_ago=30, done=False)
    _started(unscheduled, days_ago=100)

    first = open_due_checks.delay().get()
    second = open_due_checks.delay().get()

    opened = InventoryCheck.objects.filter(pk__in=first).order_by("warehouse_id")
    assert [(c.warehouse, c.status, c.scheduled, c.started_by) for c in opened] == [
        (never, "open", True, None),
        (overdue, "open", True, None),
    ]
    assert second == []
    assert InventoryCheck.objects.filter(status="open").count() == 3
    assert set(StoreAlert.objects.values_list("kind", "warehouse", "inventory_check", "to", "item")) == {
        ("check_due", never.pk, opened[0].pk, None, None),
        ("check_due", overdue.pk, opened[1].pk, manager.pk, None),
    }


def test_expiry_alerts_reach_the_manager_once_per_item_and_kind() -> None:
    manager = UserFactory(email="manager@example.org")
    warehouse = WarehouseFactory(manager=manager)
    no_address = WarehouseFactory(manager=UserFactory(email=""), community=warehouse.community)
    today = timezone.localdate()
    [soon] = shelved(warehouse, 1, expires_on=today + timedelta(days=3))
    [last_day] = shelved(warehouse, 1, expires_on=today)
    [expired] = shelved(warehouse, 1, expires_on=today - timedelta(days=1))
    [later] = shelved(warehouse, 1, expires_on=today + timedelta(days=4))
    [gone] = shelved(warehouse, 1, expires_on=today - timedelta(days=1))
    [unread] = shelved(no_address, 1, expires_on=today + timedelta(days=1))
    record_event(item=gone, kind=EventKind.WRITTEN_OFF, by=manager, reason="expired")

    raised = raise_expiry_alerts.delay().get()
    again = raise_expiry_alerts.delay().get()

    assert (raised, again) == (4, 0)
    assert set(StoreAlert.objects.values_list("item", "kind", "to", "warehouse")) == {
        (soon.pk, "expires_soon", manager.pk, warehouse.pk),
        (last_day.pk, "expires_soon", manager.pk, warehouse.pk),
        (expired.pk, "expired", manager.pk, warehouse.pk),
        (unread.pk, "expires_soon", no_address.manager_id, no_address.pk),
    }
    [message] = mail.outbox
    assert message.to == ["manager@example.org"]
    assert message.subject == "Yicang store: 3 items expire soon or have expired"
    body = message.body.splitlines()
    assert body[:3] == [
        f"expired: {expired.code_display} 大米, expires on {expired.expires_on}, at {warehouse.name}",
        f"expires soon: {last_day.code_display} 大米, expires on {last_day.expires_on}, at {warehouse.name}",
        f"expires soon: {soon.code_display} 大米, expires on {soon.expires_on}, at {warehouse.name}",
    ]
    assert body[-2:] == ["", f"{settings.YICANG_PUBLIC_URL}/staff/store/c/{warehouse.community.code}/checks/"]
    assert later.alerts.count() == 0


def test_an_item_alerted_as_expiring_is_alerted_again_once_expired() -> None:
    warehouse = WarehouseFactory(manager=UserFactory(email="m@example.org"))
    [item] = shelved(warehouse, 1, expires_on=timezone.localdate() + timedelta(days=1))
    raise_expiry_alerts.delay()
    Item.objects.filter(pk=item.pk).update(expires_on=timezone.localdate() - timedelta(days=1))

    raised = raise_expiry_alerts.delay().get()

    assert raised == 1
    assert sorted(item.alerts.values_list("kind", flat=True)) == ["expired", "expires_soon"]
    assert [m.subject for m in mail.outbox] == [
        "Yicang store: 1 item expires soon or has expired",
        "Yicang store: 1 item expires soon or has expired",
    ]


def test_a_digest_that_could_not_be_sent_is_sent_by_the_next_run_and_only_once(monkeypatch: pytest.MonkeyPatch) -> None:
    warehouse = WarehouseFactory(manager=UserFactory(email="m@example.org"))
    [item] = shelved(warehouse, 1, expires_on=timezone.localdate())

    def mail_server_down(*args: object, **kwargs: object) -> int:
        raise OSError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr("stores.services.inventory.send_mail", mail_server_down)
        with pytest.raises(OSError, match="connection refused"):
            raise_expiry_alerts.delay()
    kept = StoreAlert.objects.get(item=item)
    raised_again = raise_expiry_alerts.delay().get()
    third = raise_expiry_alerts.delay().get()

    assert kept.emailed_at is None  # the alert was kept, its mail not marked sent
    assert (raised_again, third) == (0, 0)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["m@example.org"], "Yicang store: 1 item expires soon or has expired")
    ]
    assert StoreAlert.objects.get(item=item).emailed_at is not None


def test_an_alert_seen_on_the_page_before_its_digest_is_not_mailed() -> None:
    warehouse = WarehouseFactory(manager=UserFactory(email="m@example.org"))
    [seen, unseen] = shelved(warehouse, 2, expires_on=timezone.localdate())
    with transaction.atomic():
        inventory.raise_expiry_alerts()
    StoreAlert.objects.filter(item=seen).update(seen_at=timezone.now())

    sent = inventory.mail_expiry_digests()

    assert sent == 1
    [message] = mail.outbox
    assert message.subject == "Yicang store: 1 item expires soon or has expired"
    assert unseen.code_display in message.body
    assert seen.code_display not in message.body


def test_the_worker_runs_the_checks_and_the_expiry_alerts_every_morning() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert schedule["stores.open_due_checks"] == {
        "task": "stores.open_due_checks",
        "schedule": crontab(hour=5, minute=0),
    }
    assert schedule["stores.raise_expiry_alerts"] == {
        "task": "stores.raise_expiry_alerts",
        "schedule": crontab(hour=6, minute=30),
    }
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def test_a_schedule_is_every_day_at_most() -> None:
    warehouse = WarehouseFactory.build(community=WarehouseFactory().community, check_every_days=0)

    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        warehouse.full_clean()
    with pytest.raises(IntegrityError, match="warehouse_check_every_day_or_more"), transaction.atomic():
        warehouse.save()
