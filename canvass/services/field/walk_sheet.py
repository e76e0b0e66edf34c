"""The printable walk sheet: a turf's map, its doors in walking order and boxes to tick, for when a phone dies.

The map is drawn on the same basemap as the phones' (tiles from our own tile cache, stitched), and
as bare outlines when no tiles are to be had.
"""
import io
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from flask_babel import gettext
from PIL import Image
from sqlalchemy import select

from canvass.extensions import db
from canvass.geo import doors
from canvass.geo.geometry import from_geojson
from canvass.geo.tiles import MAX_ZOOM, mercator
from canvass.models import Dwelling, Turf

if TYPE_CHECKING:
    from fpdf import FPDF

MARGIN = 12
MAP_HEIGHT = 90
TILE = 256
# About 200 dots per inch across the map's 186 mm: sharp on paper, a few dozen tiles at most.
MAP_PIXELS = 1500
# (z, x, y) -> PNG bytes, or None for a tile that cannot be had; `attribution` names the map's source.
Basemap = Callable[[int, int, int], bytes | None]


def latin1(text: str) -> str:
    """The PDF core fonts speak Latin-1 (æ, ø, å are in it); dashes and quotes outside it are simplified."""
    return text.replace("–", "-").replace("—", "-").replace("’", "'").encode("latin-1", "replace").decode("latin-1")


def door_rows(turf: Turf) -> list[tuple[int, str, str]]:
    """(stop number, address, door) for every door, top floor first where the dwellings are known."""
    units: dict[int, list[str]] = {}
    addresses = [s.address_id for s in turf.stops]
    for dwelling in db.session.scalars(select(Dwelling).where(Dwelling.address_id.in_(addresses))):
        units.setdefault(dwelling.address_id, []).append(dwelling.unit)
    rows = []
    for stop in turf.stops:
        labels = (
            doors.units_top_down(units.get(stop.address_id, []))
            or [gettext("dør %(n)s", n=n) for n in range(1, stop.doors + 1)]
            or [gettext("ingen boliger")]
        )
        rows += [(stop.position + 1, stop.address.label, label) for label in labels]
    return rows


def a4(title: str, margin: float = MARGIN) -> "FPDF":
    """A new A4 document titled `title`, with `margin` on every side and a new page where the bottom one begins: the
    walk sheet, the packing list and the committee report all start so.

    fpdf2 is imported here, with the first PDF, not at start-up: it was a sixth of every web worker's and command's."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=margin)
    pdf.set_margins(margin, margin, margin)
    pdf.set_title(latin1(title))
    return pdf


def render(turf: Turf, heading: list[str], basemap: Basemap | None = None) -> bytes:
    pdf = a4(turf.name)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 8, latin1(turf.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for line in heading:
        pdf.cell(0, 5, latin1(line), new_x="LMARGIN", new_y="NEXT")
    _map(pdf, turf, pdf.get_y() + 2, basemap)
    pdf.set_y(pdf.get_y() + MAP_HEIGHT + 6)
    _table(pdf, door_rows(turf))
    return bytes(pdf.output())


def _map(pdf: "FPDF", turf: Turf, top: float, basemap: Basemap | None) -> None:
    """The basemap, the outline and the numbered addresses, in web mercator like the tiles."""
    width = pdf.w - 2 * MARGIN
    outline = from_geojson(turf.geometry)
    west, south, east, north = outline.bounds
    (x0, y0), (x1, y1) = mercator(west, north), mercator(east, south)
    # A little room around the turf, so the streets leading to it are on the sheet too.
    span_x, span_y = max(x1 - x0, 1e-9) * 1.1, max(y1 - y0, 1e-9) * 1.1
    scale = min(width / span_x, MAP_HEIGHT / span_y)  # mm per world unit
    left, upper = (x0 + x1) / 2 - width / scale / 2, (y0 + y1) / 2 - MAP_HEIGHT / scale / 2
    right, lower = left + width / scale, upper + MAP_HEIGHT / scale

    def xy(lon, lat):
        mx, my = mercator(lon, lat)
        return MARGIN + (mx - left) * scale, top + (my - upper) * scale

    picture = _stitch(basemap, (left, upper, right, lower)) if basemap else None
    if picture is not None:
        pdf.image(picture, x=MARGIN, y=top, w=width, h=MAP_HEIGHT)
    pdf.set_draw_color(180)
    pdf.rect(MARGIN, top, width, MAP_HEIGHT)
    pdf.set_draw_color(11, 83, 148)
    pdf.set_line_width(0.6)
    for polygon in getattr(outline, "geoms", [outline]):
        pdf.polygon([xy(x, y) for x, y in polygon.exterior.coords], style="D")
    pdf.set_line_width(0.2)
    pdf.set_font("Helvetica", "B" if picture else "", 6)
    pdf.set_draw_color(26)
    pdf.set_fill_color(255, 191, 71)
    for stop in turf.stops:
        x, y = xy(stop.address.lon, stop.address.lat)
        pdf.circle(x=x, y=y, radius=1.2, style="DF" if picture else "D")
        pdf.text(x + 1.5, y - 0.5, str(stop.position + 1))
    if picture is not None:
        pdf.set_font("Helvetica", "", 6)
        pdf.set_xy(MARGIN, top + MAP_HEIGHT)
        pdf.cell(width, 3, latin1(getattr(basemap, "attribution", "")), align="R")


def _stitch(basemap: Basemap, box: tuple[float, float, float, float]) -> Image.Image | None:
    """The tiles over `box` (world units: west, north, east, south) as one picture, or None if none came."""
    left, upper, right, lower = box
    z = max(0, min(MAX_ZOOM, math.floor(math.log2(MAP_PIXELS / ((right - left) * TILE)))))
    n = 2 ** z
    columns = range(max(0, math.floor(left * n)), min(n - 1, math.floor(right * n)) + 1)
    rows = range(max(0, math.floor(upper * n)), min(n - 1, math.floor(lower * n)) + 1)
    wanted = [(x, y) for x in columns for y in rows]
    with ThreadPoolExecutor(4) as pool:
        bodies = list(pool.map(lambda xy: basemap(z, *xy), wanted))
    canvas = Image.new("RGB", (len(columns) * TILE, len(rows) * TILE), (238, 238, 238))
    pasted = 0
    for (x, y), body in zip(wanted, bodies, strict=True):
        if not body:
            continue
        try:
            with Image.open(io.BytesIO(body)) as tile:
                if tile.size != (TILE, TILE):
                    continue
                canvas.paste(tile.convert("RGB"), ((x - columns[0]) * TILE, (y - rows[0]) * TILE))
        except (OSError, ValueError, Image.DecompressionBombError):
            continue  # a broken tile is a grey square, not a broken sheet
        pasted += 1
    if not pasted:
        return None
    origin_x, origin_y = columns[0] * TILE, rows[0] * TILE
    return canvas.crop((round(left * n * TILE) - origin_x, round(upper * n * TILE) - origin_y,
                        round(right * n * TILE) - origin_x, round(lower * n * TILE) - origin_y))


def _table(pdf: "FPDF", rows: list[tuple[int, str, str]]) -> None:
    boxes = [
        gettext("Ikke hjemme"),
        gettext("Åpnet"),
        gettext("Samtale"),
        gettext("Nei takk"),
        gettext("Ikke bank"),
        gettext("Løpeseddel"),
    ]
    widths = [8, 60, 20] + [round((pdf.w - 2 * MARGIN - 88) / len(boxes), 1)] * len(boxes)
    header = ["#", gettext("Adresse"), gettext("Dør")] + boxes

    def header_row():
        pdf.set_font("Helvetica", "B", 7)
        for text, w in zip(header, widths, strict=True):
            pdf.cell(w, 6, latin1(text), border=1, align="C")
        pdf.ln()
        pdf.set_font("Helvetica", "", 8)

    header_row()
    previous = None
    for number, address, door in rows:
        if pdf.get_y() > pdf.h - MARGIN - 7:
            pdf.add_page()
            header_row()
        first = (number, address) != previous
        pdf.cell(widths[0], 6, str(number) if first else "", border=1)
        pdf.cell(widths[1], 6, latin1(address) if first else "", border=1)
        pdf.cell(widths[2], 6, latin1(door), border=1)
        for w in widths[3:]:
            pdf.cell(w, 6, "", border=1)
        pdf.ln()
        previous = (number, address)
