"""The donor's receipt: each line of the gift, and each item's code with a QR of its public trace.

The QR is the labels' own (`labels.qr_matrix` of `labels.trace_url`), drawn as one SVG path of
horizontal runs: a receipt of 500 items stays a few hundred kilobytes and renders in well under a
second (bench/receipt.py), with nothing marked safe by hand — the path is digits and letters.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stores.labels import qr_matrix, trace_url
from stores.models import Donation, Item

QUIET = 4  # modules of white around a QR, as ISO/IEC 18004 asks
_DARK_RUN = re.compile(b"\x01+")


@dataclass(frozen=True)
class QrSymbol:
    size: int  # modules across, quiet zone included: the SVG's viewBox
    path: str


@dataclass(frozen=True)
class ReceiptItem:
    code: str
    url: str
    qr: QrSymbol


@dataclass(frozen=True)
class ReceiptLine:
    category: str
    quantity: str
    description: str
    expires_on: date | None
    items: list[ReceiptItem]

    @property
    def count(self) -> int:
        return len(self.items)


def qr_symbol(url: str) -> QrSymbol:
    """The QR of `url` as an SVG path in module units, to be stroked 1 wide: a line through each row's runs.

    Relative moves within a row keep it short (about 3 kB a symbol), which is what a receipt of 500 items weighs.
    """
    matrix = qr_matrix(url)
    parts = []
    for row, line in enumerate(matrix, start=QUIET):
        end = None
        for run in _DARK_RUN.finditer(line):
            if end is None:
                parts.append(f"M{run.start() + QUIET} {row}.5h{run.end() - run.start()}")
            else:
                parts.append(f"m{run.start() - end} 0h{run.end() - run.start()}")
            end = run.end()
    return QrSymbol(size=len(matrix) + 2 * QUIET, path="".join(parts))


def quantity_text(quantity: Decimal, unit: str) -> str:
    return f"{quantity.normalize():f} {unit}"


def receipt_lines(items: list[Item], *, base_url: str) -> list[ReceiptLine]:
    """The items of a donation, in the order received, grouped back into the lines they were typed as.

    Reads `item.category`: pass items with the category selected.
    """
    lines: list[ReceiptLine] = []
    key = None
    for item in items:
        item_key = (item.category_id, item.quantity, item.unit, item.description, item.expires_on)
        if item_key != key:
            key = item_key
            lines.append(
                ReceiptLine(
                    category=item.category.name,
                    quantity=quantity_text(item.quantity, item.unit),
                    description=item.description,
                    expires_on=item.expires_on,
                    items=[],
                )
            )
        url = trace_url(base_url, item.code)
        lines[-1].items.append(ReceiptItem(code=item.code_display, url=url, qr=qr_symbol(url)))
    return lines


def donation_items(donation: Donation) -> list[Item]:
    return list(donation.items.select_related("category").order_by("pk"))
