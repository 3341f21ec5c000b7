"""Valid resident ID numbers for tests, made with the check-digit rule of GB 11643."""

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(birth: str = "19560312", region: str = "510104", serial: str = "123") -> str:
    body = region + birth + serial
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]
