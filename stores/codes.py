"""Item codes: 65 random bits in Crockford's base 32, and a check character, read in three groups.

Why this shape: codes are printed on labels, read aloud on the phone and typed by donors, so the
alphabet has no I, L, O or U (nothing to confuse, nothing rude), input forgives lower case, spaces,
hyphens and the usual look-alikes, and a check character (Luhn mod 32) catches any single mistyped
character and any swap of two neighbours before the database is asked (see new_code for the one swap
Luhn cannot see). 13 random characters carry 65
bits, so nobody can walk the codes to find families.
"""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {char: value for value, char in enumerate(ALPHABET)}
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
RANDOM_CHARS = 13  # 13 characters of 5 bits: 65 bits
LENGTH = RANDOM_CHARS + 1
GROUPS = (5, 5, 4)


def check_character(body: str) -> str:
    """Luhn mod 32 over the body: catches every single substitution and adjacent transposition."""
    total, factor = 0, 2
    for char in reversed(body):
        addend = factor * _VALUE[char]
        total += addend // 32 + addend % 32
        factor = 1 if factor == 2 else 2
    return ALPHABET[(32 - total % 32) % 32]


def new_code() -> str:
    """A fresh random code in its compact form (14 characters, no separators)."""
    while True:
        body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
        code = body + check_character(body)
        # Luhn mod 32 misses one swap only: "0Z" for "Z0". Codes with either pair (about 2.5 %) are
        # drawn again, so every swap of neighbours in a code we issue is caught; 64.96 bits remain.
        if "0Z" not in code and "Z0" not in code:
            return code


# A label's QR holds the public trace URL; a camera, or a 2D USB scanner typing into a page, reads all of it.
_TRACE_URL = re.compile(r"^https?://[^/\s]+(?:/[^\s]*)?/t/([^/?#\s]+)/?(?:[?#]\S*)?$", re.IGNORECASE)


def normalise(typed: str) -> str | None:
    """The compact code a person meant, or None when it cannot be a code (wrong length or check).

    Takes what people type (any case, spaces, hyphens, look-alikes) and what scanners send: the code,
    or the whole trace URL of a label's QR.
    """
    typed = (typed or "").strip()
    url = _TRACE_URL.match(typed)
    if url is not None:
        typed = url[1]
    compact = re.sub(r"[\s\-_.]", "", typed).upper().translate(_LOOK_ALIKES)
    if len(compact) != LENGTH or any(char not in _VALUE for char in compact):
        return None
    if check_character(compact[:-1]) != compact[-1]:
        return None
    return compact


def display(code: str) -> str:
    """The code as printed and read aloud: XXXXX-XXXXX-XXXX."""
    parts, start = [], 0
    for size in GROUPS:
        parts.append(code[start : start + size])
        start += size
    return "-".join(parts)
