import secrets

import pytest

from stores.codes import ALPHABET, LENGTH, check_character, display, new_code, normalise


def test_a_new_code_has_65_random_bits_and_a_check_character() -> None:
    codes = {new_code() for _ in range(2000)}

    assert len(codes) == 2000
    assert all(len(code) == LENGTH and set(code) <= set(ALPHABET) for code in codes)
    assert all(check_character(code[:-1]) == code[-1] for code in codes)
    assert len(ALPHABET) ** (LENGTH - 1) >= 2**65


def test_typed_codes_forgive_case_separators_and_look_alikes() -> None:
    code = "ZK6JX71MJ46W4" + check_character("ZK6JX71MJ46W4")
    typed = display(code).lower().replace("1", "l").replace("0", "o")

    assert display(code) == f"{code[:5]}-{code[5:10]}-{code[10:]}"
    assert normalise(typed) == code
    assert normalise(f" {code[:5]} {code[5:]} ") == code


@pytest.mark.parametrize("attempt", range(50))
def test_every_single_mistyped_character_and_every_neighbour_swap_is_caught(attempt: int) -> None:
    code = new_code()
    wrong = [code[:i] + other + code[i + 1 :] for i in range(LENGTH) for other in ALPHABET if other != code[i]]
    swaps = [code[:i] + code[i + 1] + code[i] + code[i + 2 :] for i in range(LENGTH - 1) if code[i] != code[i + 1]]

    assert [w for w in wrong + swaps if normalise(w) is not None] == []


@pytest.mark.parametrize("typed", ["", "ABC", "U" * LENGTH, secrets.token_hex(7)[:LENGTH] + "!"])
def test_what_cannot_be_a_code_is_refused_before_the_database(typed: str) -> None:
    assert normalise(typed) is None


def test_a_scanned_trace_url_gives_its_code_and_other_text_stays_a_non_code() -> None:
    code = new_code()

    assert normalise(f" https://yicang.example.cn/t/{code} ") == code
    assert normalise(f"http://127.0.0.1:8000/t/{display(code).lower()}/?from=qr") == code
    assert normalise(f"see /t/{code}") is None
    assert normalise(f"https://yicang.example.cn/t/{code}/extra") is None
