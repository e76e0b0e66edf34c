"""The printable committee report: the filtered dashboard's charts, district map and tables on A4."""
import io
import re
from typing import TYPE_CHECKING

from flask_babel import format_decimal

from canvass.formatting import format_percent, format_tenths
from canvass.insight.export import Sheet
from canvass.services.field.walk_sheet import a4, latin1

if TYPE_CHECKING:
    from fpdf import FPDF

MARGIN = 14
TITLE = re.compile(r"<title>.*?</title>", re.S)


def _svg(pdf: "FPDF", svg: str, width: float) -> None:
    """An SVG chart at the current position; its screen-reader title is left out, the heading says it."""
    if not svg:
        return
    data = ('<?xml version="1.0" encoding="ISO-8859-1"?>' + latin1(TITLE.sub("", str(svg)))).encode("latin-1")
    info = pdf.image(io.BytesIO(data), x=MARGIN, y=pdf.get_y(), w=width)
    pdf.set_y(pdf.get_y() + info.rendered_height + 4)


def cell_text(value, percent: bool = False, decimal: bool = False) -> str:
    """A table cell as printed, as the page writes it: a dash for a hidden small group, shares as whole
    percentages (53 %), fractions with one decimal (2,1), whole numbers grouped (2 400)."""
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if percent:
        return format_percent(value)
    if decimal or isinstance(value, float):
        return format_tenths(value)
    return format_decimal(value)


def _table(pdf: "FPDF", sheet: Sheet, limit: int = 40) -> None:
    width = pdf.w - 2 * MARGIN
    first = min(60, width / 2.5)
    rest = (width - first) / max(len(sheet.header) - 1, 1)
    pdf.set_font("Helvetica", "B", 8)
    for i, header in enumerate(sheet.header):
        pdf.cell(first if i == 0 else rest, 6, latin1(str(header))[:40], border="B", align="L" if i == 0 else "R")
    pdf.ln()
    pdf.set_font("Helvetica", "", 8)
    for row in sheet.rows[:limit]:
        for i, cell in enumerate(row):
            text = cell_text(cell, i in sheet.percent, i in sheet.decimal)
            pdf.cell(first if i == 0 else rest, 5, latin1(text)[:45], border="B", align="L" if i == 0 else "R")
        pdf.ln()
    pdf.ln(4)


def render(title: str, lines: list[str], sections: list[tuple[str, str | None, Sheet | None]]) -> bytes:
    """A report: a title, a few lines on what it covers, then sections of (heading, SVG, table)."""
    pdf = a4(title, MARGIN)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for line in lines:
        pdf.multi_cell(0, 5, latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    width = pdf.w - 2 * MARGIN
    for heading, svg, sheet in sections:
        if pdf.get_y() > pdf.h - 80:
            pdf.add_page()
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 7, latin1(heading), new_x="LMARGIN", new_y="NEXT")
        if svg:
            _svg(pdf, svg, width)
        if sheet is not None:
            _table(pdf, sheet)
    return bytes(pdf.output())
