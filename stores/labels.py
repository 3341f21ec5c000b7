"""Label sheets: PDF pages of item labels, each with a QR of the public trace URL, a Code128 and the code.

Phones read the QR; warehouse scanners (laser, CCD or imager in keyboard mode) read the Code128 of the
compact code, which `codes.normalise` accepts as typed. Both symbols are drawn as vector rectangles
written straight into the page stream: crisp at any printer resolution, and fast (see bench/labels.py).
"""

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import segno
from barcode import Code128
from django.db import transaction
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from stores.models import Item, LabelSheet
from yicang.community.models import User

# A CID font names glyphs the PDF viewer or printer already has: no font file to ship or embed.
CJK_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
CODE_FONT = "Helvetica-Bold"

# ISO/IEC 15417 asks for quiet zones of at least 10 modules either side of a Code128.
QUIET_MODULES = 10
# Evaluating all eight QR masks is 80 % of segno's time (4.7 ms a symbol against 1.0 ms). Any mask is
# valid and every decoder reads every mask; the penalty rules only avoid patterns that are unlucky.
QR_MASK = 0
QR_ERROR = "m"
_DARK_RUN = re.compile(b"\x01+")
_BAR = re.compile("1+")
# ASCII85 would make the streams 7-bit clean, which no one needs of a PDF, in pure Python: a fifth
# of the render time. This is reportlab's process-wide switch; nothing else in Yicang writes PDFs.
rl_config.useA85 = 0
# How often the caller hears of progress: a row update each time, so not per label (bench/labels.py).
PROGRESS_EVERY = 100


@dataclass(frozen=True)
class Layout:
    """Where labels sit on a page and where the symbols sit on a label; lengths in millimetres.

    `module` is the Code128's narrow bar. 0.25 mm (10 mil) where it fits; a 14-character code is
    189 modules, so with its quiet zones it needs 52.25 mm at 0.25 mm, more than a 48.5 or 50 mm
    label has: those use 0.2 mm (7.9 mil), still coarser than the 5 mil ordinary scanners resolve.
    """

    page: tuple[float, float]
    columns: int
    rows: int
    width: float
    height: float
    module: float
    bar_bottom: float
    bar_height: float
    text_baseline: float
    text_size: float
    qr_left: float
    qr_bottom: float
    qr_size: float  # the square including the QR's own quiet zone of four modules
    name_size: float

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def left_margin(self) -> float:
        return float(self.page[0] / mm - self.columns * self.width) / 2

    @property
    def top_margin(self) -> float:
        return float(self.page[1] / mm - self.rows * self.height) / 2


LAYOUTS: dict[str, Layout] = {
    LabelSheet.Layout.A4_3X8: Layout(
        page=A4,
        columns=3,
        rows=8,
        width=70,
        height=37,
        module=0.25,
        bar_bottom=6,
        bar_height=9.5,
        text_baseline=2.5,
        text_size=10,
        qr_left=2,
        qr_bottom=16,
        qr_size=19.5,
        name_size=11,
    ),
    LabelSheet.Layout.A4_4X10: Layout(
        page=A4,
        columns=4,
        rows=10,
        width=48.5,
        height=25.4,
        module=0.2,
        bar_bottom=4.2,
        bar_height=6,
        text_baseline=1.6,
        text_size=7.5,
        qr_left=1,
        qr_bottom=10.4,
        qr_size=14.5,
        name_size=8,
    ),
    LabelSheet.Layout.THERMAL_50X30: Layout(
        page=(50 * mm, 30 * mm),
        columns=1,
        rows=1,
        width=50,
        height=30,
        module=0.2,
        bar_bottom=5,
        bar_height=7,
        text_baseline=1.8,
        text_size=8.5,
        qr_left=1,
        qr_bottom=12.5,
        qr_size=17,
        name_size=9,
    ),
}


def layout_for(name: str) -> Layout:
    try:
        return LAYOUTS[name]
    except KeyError:
        raise ValueError(f"Unknown label layout {name!r}; known: {', '.join(LAYOUTS)}.") from None


def trace_url(base_url: str, code: str) -> str:
    """The public trace page of an item, as its QR carries it."""
    return f"{base_url.rstrip('/')}/t/{code}"


def qr_matrix(url: str) -> tuple[bytearray, ...]:
    """The QR's modules, top row first, without its quiet zone (1 is dark)."""
    matrix: tuple[bytearray, ...] = segno.make_qr(url, error=QR_ERROR, mask=QR_MASK).matrix
    return matrix


def code128_modules(code: str) -> str:
    """The Code128 of the compact code as modules, "1" a dark one, without quiet zones."""
    modules: str = Code128(code).build()[0]
    return modules


def _qr_ops(matrix: Sequence[bytearray], left: float, bottom: float, size: float) -> str:
    # One filled path of horizontal runs in module units, placed by a transform: small integers to
    # format, and a page stream a third the size of one written in points.
    count = len(matrix)
    scale = size * mm / (count + 8)
    ops = [f"q 1 0 0 1 {left * mm:.2f} {bottom * mm:.2f} cm {scale:.4f} 0 0 {scale:.4f} 0 0 cm"]
    for row, line in enumerate(matrix):
        y = count + 3 - row
        ops.extend(f"{run.start() + 4} {y} {run.end() - run.start()} 1 re" for run in _DARK_RUN.finditer(line))
    ops.append("f Q")
    return "\n".join(ops)


def _bar_ops(modules: str, left: float, bottom: float, module: float, height: float) -> str:
    ops = [f"q 1 0 0 1 {left * mm:.2f} {bottom * mm:.2f} cm {module * mm:.4f} 0 0 {height * mm:.4f} 0 0 cm"]
    ops.extend(f"{bar.start()} 0 {bar.end() - bar.start()} 1 re" for bar in _BAR.finditer(modules))
    ops.append("f Q")
    return "\n".join(ops)


def _fitted(text: str, font: str, size: float, width: float) -> str:
    while text and pdfmetrics.stringWidth(text, font, size) > width:
        text = text[:-1]
    return text


def render_labels(
    items: Sequence[Item],
    layout: str,
    *,
    base_url: str,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """A PDF of one label per item, in the given order; `progress(done)` every PROGRESS_EVERY labels and at the end.

    Reads `item.category`: pass items with the category selected. Raises ValueError for an unknown layout.
    """
    spec = layout_for(layout)
    buffer = io.BytesIO()
    # invariant: no timestamps or random ids, so the same items give the same bytes.
    canvas = Canvas(buffer, pagesize=spec.page, pageCompression=1, invariant=1)
    canvas.setTitle("Yicang labels")
    page_height = spec.page[1] / mm
    names: dict[str, str] = {}
    for index, item in enumerate(items):
        slot = index % spec.per_page
        if index and not slot:
            canvas.showPage()
        x0 = spec.left_margin + (slot % spec.columns) * spec.width
        y0 = page_height - spec.top_margin - (slot // spec.columns + 1) * spec.height

        canvas.addLiteral(
            _qr_ops(qr_matrix(trace_url(base_url, item.code)), x0 + spec.qr_left, y0 + spec.qr_bottom, spec.qr_size)
        )
        modules = code128_modules(item.code)
        bar_left = x0 + (spec.width - len(modules) * spec.module) / 2
        canvas.addLiteral(_bar_ops(modules, bar_left, y0 + spec.bar_bottom, spec.module, spec.bar_height))

        canvas.setFont(CODE_FONT, spec.text_size)
        canvas.drawCentredString((x0 + spec.width / 2) * mm, (y0 + spec.text_baseline) * mm, item.code_display)
        name = item.category.name
        if name not in names:
            room = spec.width - spec.qr_left - spec.qr_size - 1.5
            names[name] = _fitted(name, CJK_FONT, spec.name_size, room * mm)
        canvas.setFont(CJK_FONT, spec.name_size)
        text_top = y0 + spec.qr_bottom + spec.qr_size - 2.5 - spec.name_size * 0.3528
        canvas.drawString((x0 + spec.qr_left + spec.qr_size + 0.5) * mm, text_top * mm, names[name])

        done = index + 1
        if progress is not None and done % PROGRESS_EVERY == 0 and done != len(items):
            progress(done)
    canvas.showPage()
    canvas.save()
    if progress is not None:
        progress(len(items))
    return buffer.getvalue()


@transaction.atomic
def request_label_sheet(*, items: Sequence[Item], layout: str, by: User) -> LabelSheet:
    """Ask the worker for a sheet of labels of these items (one community's); returns the pending sheet.

    Raises ValueError for no items, items of several communities or an unknown layout; nothing is
    written or queued then.
    """
    from stores.tasks import render_label_sheet

    layout_for(layout)
    communities = {item.community_id for item in items}
    if not items:
        raise ValueError("A label sheet needs at least one item.")
    if len(communities) != 1:
        raise ValueError("A label sheet holds the items of one community.")
    sheet = LabelSheet.objects.create(community_id=communities.pop(), layout=layout, total=len(items), created_by=by)
    sheet.items.set(items)
    transaction.on_commit(partial(render_label_sheet.delay, sheet_id=sheet.pk))
    return sheet
