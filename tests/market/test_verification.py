from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from tests.factories import ResidentFactory, UserFactory
from tests.ids import resident_id
from tests.market.conftest import Market
from volunteers.market.exceptions import AlreadyDecided, InvalidIdNumber, MarketError, VerificationExists
from volunteers.market.models import VerificationRequest
from volunteers.market.services import approve_verification, reject_verification, submit_verification
from yicang.community.models import Resident
from yicang.community.services import set_id_number
from yicang.core.crypto import keyed_hash, unseal

pytestmark = pytest.mark.django_db

NUMBER = resident_id("19560312")


def _photo(name: str = "身份证.JPG") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\xff\xd8\xff\xe0 not really a jpeg", content_type="image/jpeg")


def _files(media: Path) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


@pytest.fixture
def newcomer(market: Market) -> Resident:
    return ResidentFactory(household__community=market.community, name="刘新来", birth_year=None)


def test_submitting_seals_the_number_and_keeps_the_photo_until_checked(newcomer: Resident, media: Path) -> None:
    verification = submit_verification(resident=newcomer, number=f" {NUMBER[:6]} {NUMBER[6:]} ", photo=_photo())

    assert (verification.status, verification.community, verification.resident) == (
        "pending",
        newcomer.community,
        newcomer,
    )
    assert NUMBER not in verification.id_number_sealed
    assert unseal(verification.id_number_sealed) == NUMBER
    assert verification.id_number_last4 == NUMBER[-4:]
    # Stored under a random name, not the one the resident's phone gave it.
    assert verification.photo.name.startswith("verification/")
    assert verification.photo.name.endswith(".jpg")
    assert "身份证" not in verification.photo.name
    assert _files(media) == [verification.photo.name]
    newcomer.refresh_from_db()
    assert (newcomer.id_verified_at, newcomer.id_number_hash) == (None, None)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("12345", "has 18 characters"),
        (NUMBER[:-1] + ("0" if NUMBER[-1] != "0" else "1"), "does not match the others"),
        (resident_id("19561332"), "is not a real date"),
    ],
)
def test_a_bad_number_is_a_clear_error_and_writes_nothing(
    newcomer: Resident, media: Path, number: str, message: str
) -> None:
    with pytest.raises(InvalidIdNumber, match=message):
        submit_verification(resident=newcomer, number=number, photo=_photo())

    assert not VerificationRequest.objects.exists()
    assert _files(media) == []


def test_a_photo_of_another_kind_is_refused_and_not_stored(newcomer: Resident, media: Path) -> None:
    with pytest.raises(MarketError, match="not allowed"):
        submit_verification(resident=newcomer, number=NUMBER, photo=_photo("card.exe"))

    assert not VerificationRequest.objects.exists()
    assert _files(media) == []


def test_approval_moves_the_number_to_the_resident_and_deletes_the_photo(
    market: Market, newcomer: Resident, media: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    verification = submit_verification(resident=newcomer, number=NUMBER, photo=_photo())

    with django_capture_on_commit_callbacks(execute=True):
        approved = approve_verification(verification=verification, by=market.manager)

    newcomer.refresh_from_db()
    assert newcomer.id_verified_by == market.manager
    assert newcomer.id_verified_at is not None
    assert (newcomer.id_number_hash, newcomer.id_number_last4, newcomer.birth_year) == (
        keyed_hash(NUMBER),
        NUMBER[-4:],
        1956,
    )
    assert unseal(newcomer.id_number_sealed) == NUMBER
    # The request keeps the fact, who and when; neither the number nor the photo.
    approved.refresh_from_db()
    assert (approved.status, approved.decided_by, approved.reason) == ("verified", market.manager, "")
    assert approved.decided_at is not None
    assert (approved.id_number_sealed, approved.id_number_last4, approved.photo.name) == ("", "", "")
    assert _files(media) == []


def test_rejection_needs_a_reason_and_deletes_the_photo(
    market: Market, newcomer: Resident, media: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    verification = submit_verification(resident=newcomer, number=NUMBER, photo=_photo())

    with pytest.raises(MarketError, match="Say why the verification is rejected"):
        reject_verification(verification=verification, by=market.manager, reason="  ")
    verification.refresh_from_db()
    assert (verification.status, verification.id_number_last4) == ("pending", NUMBER[-4:])
    assert _files(media) == [verification.photo.name]

    with django_capture_on_commit_callbacks(execute=True):
        rejected = reject_verification(verification=verification, by=market.manager, reason=" 照片看不清 ")

    rejected.refresh_from_db()
    assert (rejected.status, rejected.reason, rejected.decided_by) == ("rejected", "照片看不清", market.manager)
    assert (rejected.id_number_sealed, rejected.id_number_last4, rejected.photo.name) == ("", "", "")
    assert _files(media) == []
    newcomer.refresh_from_db()
    assert (newcomer.id_verified_at, newcomer.id_number_hash) == (None, None)


def test_a_rejected_resident_may_send_again(market: Market, newcomer: Resident) -> None:
    first = submit_verification(resident=newcomer, number=NUMBER)
    reject_verification(verification=first, by=market.manager, reason="号码有误")

    again = submit_verification(resident=newcomer, number=NUMBER)

    assert list(VerificationRequest.objects.order_by("pk").values_list("status", flat=True)) == ["rejected", "pending"]
    assert again.status == "pending"


def test_one_verification_waits_at_a_time_and_a_verified_resident_needs_none(
    market: Market, newcomer: Resident
) -> None:
    first = submit_verification(resident=newcomer, number=NUMBER)

    with pytest.raises(VerificationExists, match="waiting for the centre already"):
        submit_verification(resident=newcomer, number=NUMBER)
    approve_verification(verification=first, by=market.manager)
    with pytest.raises(VerificationExists, match="is verified already"):
        submit_verification(resident=newcomer, number=NUMBER)

    assert VerificationRequest.objects.count() == 1


def test_a_number_registered_to_another_resident_is_refused_on_approval_and_nothing_written(
    market: Market, newcomer: Resident, media: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    holder = ResidentFactory(household__community=market.community)
    set_id_number(resident=holder, number=NUMBER, by=market.manager)
    verification = submit_verification(resident=newcomer, number=NUMBER, photo=_photo())

    with (
        pytest.raises(InvalidIdNumber, match="already registered to another resident"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        approve_verification(verification=verification, by=market.manager)

    assert callbacks == []
    verification.refresh_from_db()
    assert (verification.status, verification.decided_at, unseal(verification.id_number_sealed)) == (
        "pending",
        None,
        NUMBER,
    )
    assert _files(media) == [verification.photo.name]
    newcomer.refresh_from_db()
    assert newcomer.id_verified_at is None


def test_a_verification_is_decided_once(market: Market, newcomer: Resident) -> None:
    verification = submit_verification(resident=newcomer, number=NUMBER)
    approve_verification(verification=verification, by=market.manager)

    with pytest.raises(AlreadyDecided, match="was verified already"):
        reject_verification(verification=verification, by=UserFactory(), reason="重复")
    with pytest.raises(AlreadyDecided):
        approve_verification(verification=verification, by=UserFactory())

    verification.refresh_from_db()
    assert (verification.status, verification.decided_by) == ("verified", market.manager)


def test_the_database_keeps_no_number_on_a_decided_verification(market: Market, newcomer: Resident) -> None:
    verification = submit_verification(resident=newcomer, number=NUMBER)

    with pytest.raises(IntegrityError, match="verification_nothing_kept_once_decided"), transaction.atomic():
        VerificationRequest.objects.filter(pk=verification.pk).update(status="verified")
    with pytest.raises(IntegrityError, match="verification_rejection_has_reason"), transaction.atomic():
        VerificationRequest.objects.filter(pk=verification.pk).update(
            status="rejected", id_number_sealed="", id_number_last4="", decided_at=verification.created_at
        )
