"""Events of every public kind, made through the real services, for the public log's tests."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from donors.models import CompassionFamily
from stores.models import EventKind, Item
from stores.services.items import IntakeLine, receive_donation, record_event
from tests.factories import HouseholdFactory, ResidentFactory, UserFactory
from tests.factories.stores import CategoryFactory, DeliveryFactory, WarehouseFactory
from tests.ledger.conftest import Book, donate, make_book
from yicang.ledger.models import Transaction
from yicang.ledger.services import credit_time, transfer_time


@dataclass
class Story:
    item: Item
    book: Book
    donation: Transaction
    hours: Transaction
    service: Transaction


def a_story() -> Story:
    """An item given by a named family and delivered to a recipient family; money given; time credited and spent."""
    book = make_book()
    store = WarehouseFactory(community=book.community, name="一号库", public_place="水井坊社区义仓")
    giver = HouseholdFactory(community=book.community, name="王建国家", address="水井街8号")
    ResidentFactory(household=giver, name="王建国")
    family = CompassionFamily.objects.create(
        community=book.community,
        household=giver,
        public_name="王家",
        public_name_consent=True,
        consent_recorded_at=timezone.now(),
    )
    line = IntakeLine(
        category=CategoryFactory(),
        count=1,
        quantity=Decimal("10"),
        expires_on=timezone.localdate() + timedelta(days=90),
    )
    item = receive_donation(warehouse=store, lines=[line], by=UserFactory(), family=family).items.get()
    clerk = UserFactory()
    delivery = DeliveryFactory(plan__community=item.community, plan__warehouse=store)
    record_event(item=item, kind=EventKind.DISPATCHED, by=clerk, delivery=delivery)
    record_event(item=item, kind=EventKind.DELIVERED, by=clerk)
    helper = book.time_a.household
    assert helper is not None
    other = book.time_b.household
    assert other is not None
    hours = credit_time(household=helper, minutes=90, reason="王家帮李家", by=clerk, cause=item, idempotency_key="h1")
    service = transfer_time(
        payer=helper, payee=other, minutes=30, reason="理发", by=clerk, cause=item, idempotency_key="s1"
    )
    donation = donate(book, 5000)
    assert isinstance(donation, Transaction)
    return Story(item=item, book=book, donation=donation, hours=hours, service=service)
