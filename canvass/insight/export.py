"""Tables out of the app: CSV and Excel (one sheet per table), safe to open in a spreadsheet.

Numbers are written as Norwegian Excel reads them: in a CSV, shares as whole percentages and other
fractions with a decimal comma ("2,1"); in Excel, as numbers with a number format that shows them
the way the page does (53 %, 2,1), never as text.

A cell that starts like a formula (=, +, -, @, tab, return) would run as one in Excel or
LibreOffice; free text and names are prefixed with an apostrophe so they are shown as text.
"""
import csv
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sheet:
    title: str
    header: list[str]
    rows: list[list]
    # Columns holding shares (0–1), shown as whole percentages.
    percent: tuple[int, ...] = ()
    # Columns holding fractions, shown with one decimal.
    decimal: tuple[int, ...] = ()


def half_up(value: float, digits: int = 0) -> Decimal:
    """`value` to `digits` decimals as a spreadsheet and a reader round it (0.125 → 0.13, 2.25 → 2.3), from the
    shortest decimal that prints as the float, as Excel reads a cell. Python and Babel round a half to even
    (0.12, 2.2): without this the page, the CSV and the PDF would say 12 % where the Excel cell says 13 %."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def csv_cell(value, percent: bool = False, decimal: bool = False) -> str:
    """A number as a Norwegian spreadsheet reads it from a semicolon CSV: 53 for 53 %, 2,1 for 2.1."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return safe(value)
    if percent:
        return str(int(half_up(value, 2) * 100))
    if decimal or isinstance(value, float):
        return str(half_up(value, 1)).replace(".", ",")
    return str(value)


def safe(value):
    """A cell value that a spreadsheet shows as it is, never runs."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(sheet: Sheet) -> bytes:
    """One table as CSV with a BOM, so Excel opens æ, ø and å right; semicolons, as Norwegian Excel expects."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([safe(h) + (" (%)" if i in sheet.percent else "") for i, h in enumerate(sheet.header)])
    writer.writerows([[csv_cell(cell, i in sheet.percent, i in sheet.decimal) for i, cell in enumerate(row)]
                      for row in sheet.rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sheets: list[Sheet]) -> bytes:
    # openpyxl is imported with the first spreadsheet, not at start-up (a tenth of a web worker's start).
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for sheet in sheets:
        title = _sheet_title(sheet.title, used)
        page = book.create_sheet(title)
        page.append([safe(h) for h in sheet.header])
        for cell in page[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            page.append([safe(cell) for cell in row])
        for columns, number_format in ((sheet.percent, "0%"), (sheet.decimal, "0.0")):
            for column in columns:
                for (cell,) in page.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
                    cell.number_format = number_format
        page.freeze_panes = "B2"
        for i, header in enumerate(sheet.header, start=1):
            longest = max(
                [len(str(header))] + [len(str(row[i - 1])) for row in sheet.rows[:200] if row[i - 1] is not None]
            )
            page.column_dimensions[get_column_letter(i)].width = min(max(longest + 2, 8), 80)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, and unique in the book."""
    clean = "".join("-" if c in "[]:*?/\\" else c for c in title)[:31] or "Ark"
    candidate, n = clean, 2
    while candidate.lower() in used:
        candidate = f"{clean[:28]} {n}"
        n += 1
    used.add(candidate.lower())
    return candidate
