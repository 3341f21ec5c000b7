import pytest
from django.urls import reverse

from tests.clients import signed_in
from tests.factories import HouseholdFactory, staff_of
from tests.ledger.conftest import Book, donate, make_book
from yicang.community.models import StaffMembership
from yicang.ledger.models import Account, Transaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_books(db: None) -> tuple[Book, Book]:
    return make_book("shuijingfang"), make_book("jiaozi")


def test_account_changelist_shows_readable_balances_of_own_community_only(two_books: tuple[Book, Book]) -> None:
    mine, theirs = two_books
    donate(mine, 12_345)
    donate(theirs, 999)

    response = signed_in(staff_of(mine.community)).get(reverse("admin:ledger_account_changelist"))

    rows = {a.name: a.shown_balance for a in response.context["cl"].result_list}
    assert rows == {"现金": 12_345, "义仓基金": 12_345, "时间池": 0, "王家时间": 0, "李家时间": 0}
    assert "¥123.45" in response.content.decode()
    assert {a.community for a in response.context["cl"].result_list} == {mine.community}


def test_another_communitys_transaction_is_not_found(two_books: tuple[Book, Book]) -> None:
    mine, theirs = two_books
    txn = donate(theirs, 500)
    assert isinstance(txn, Transaction)

    response = signed_in(staff_of(mine.community)).get(reverse("admin:ledger_transaction_change", args=[txn.pk]))

    assert response.status_code == 404


def test_a_transaction_is_shown_read_only_with_its_legs(book: Book) -> None:
    txn = donate(book, 500)
    assert isinstance(txn, Transaction)

    response = signed_in(staff_of(book.community)).get(reverse("admin:ledger_transaction_change", args=[txn.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "¥5.00" in page
    assert 'name="_save"' not in page
    assert signed_in(staff_of(book.community)).get(reverse("admin:ledger_transaction_add")).status_code == 403


def test_a_manager_reverses_a_transaction_from_the_admin_with_a_reason(book: Book) -> None:
    txn = donate(book, 500)
    assert isinstance(txn, Transaction)
    client = signed_in(staff_of(book.community))
    url = reverse("admin:ledger_transaction_changelist")

    asked = client.post(url, {"action": "reverse_selected", "_selected_action": [txn.pk]})
    no_reason = client.post(url, {"action": "reverse_selected", "_selected_action": [txn.pk], "apply": "1"})
    done = client.post(
        url, {"action": "reverse_selected", "_selected_action": [txn.pk], "apply": "1", "reason": "重复登记"}
    )

    assert asked.status_code == 200
    assert "冲正原因" in asked.content.decode()
    assert no_reason.status_code == 200
    assert Transaction.objects.count() == 2
    assert done.status_code == 302
    reversal = Transaction.objects.get(reverses=txn)
    assert (reversal.reason, reversal.recorded_by) == ("重复登记", done.wsgi_request.user)
    assert Account.objects.get(pk=book.cash.pk).balance == 0


def test_reversing_twice_from_the_admin_is_a_message_not_an_error(book: Book) -> None:
    txn = donate(book, 500)
    assert isinstance(txn, Transaction)
    client = signed_in(staff_of(book.community))
    form = {"action": "reverse_selected", "_selected_action": [txn.pk], "apply": "1", "reason": "重复"}
    client.post(reverse("admin:ledger_transaction_changelist"), form, follow=True)

    response = client.post(reverse("admin:ledger_transaction_changelist"), form, follow=True)

    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Transaction.objects.count() == 2


def test_centre_staff_without_the_permission_cannot_reverse(book: Book) -> None:
    txn = donate(book, 500)
    assert isinstance(txn, Transaction)
    client = signed_in(staff_of(book.community, role=StaffMembership.Role.STAFF))

    response = client.post(
        reverse("admin:ledger_transaction_changelist"),
        {"action": "reverse_selected", "_selected_action": [txn.pk], "apply": "1", "reason": "x"},
    )

    assert response.status_code in {200, 302}
    assert Transaction.objects.count() == 1


def test_an_account_for_another_communitys_household_is_a_form_error(two_books: tuple[Book, Book]) -> None:
    mine, theirs = two_books
    national = staff_of(mine.community, is_superuser=True, is_national=True)

    response = signed_in(national).post(
        reverse("admin:ledger_account_add"),
        {
            "community": mine.community.pk,
            "kind": "time",
            "name": "错家",
            "household": HouseholdFactory(community=theirs.community).pk,
        },
    )

    assert response.status_code == 200
    assert "household" in response.context["adminform"].form.errors
    assert not Account.objects.filter(name="错家").exists()


def test_cash_cannot_be_allowed_below_zero_in_the_admin(book: Book) -> None:
    response = signed_in(staff_of(book.community)).post(
        reverse("admin:ledger_account_change", args=[book.cash.pk]), {"name": "现金", "allow_negative": "on"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["allow_negative"] == ["现金永远不能低于零。"]


@pytest.mark.parametrize("url_name", ["ledger_account", "ledger_transaction"])
def test_ledger_changelists_have_pinned_query_counts(
    book: Book, url_name: str, django_assert_num_queries: object
) -> None:
    client = signed_in(staff_of(book.community))
    url = reverse(f"admin:{url_name}_changelist")
    donate(book, 100)
    with django_assert_num_queries(7):  # type: ignore[operator]
        client.get(url)
    for _ in range(10):
        donate(book, 100)
    with django_assert_num_queries(7):  # type: ignore[operator]
        assert client.get(url).status_code == 200
