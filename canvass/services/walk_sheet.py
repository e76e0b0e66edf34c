"""The printable walk sheet: a turf's map, its doors in walking order and boxes to tick, for when a phone dies."""
import math

from flask_babel import gettext
from fpdf import FPDF
from sqlalchemy import select

from canvass.extensions import db
from canvass.geo import doors
from canvass.geo.geometry import from_geojson
from canvass.models import Dwelling, Turf

MARGIN = 12
MAP_HEIGHT = 90


def latin1(text: str) -> str:
    """The PDF core fonts speak Latin-1 (æ, ø, å are in it); dashes and quotes outside it are simplified."""
    return text.replace("–", "-").replace("—", "-").replace("’", "'").encode("latin-1", "replace").decode("latin-1")


def door_rows(turf: Turf) -> list[tuple[int, str, str]]:
    """(stop number, address, door) for every door, top floor first where the dwellings are known."""
    units: dict[int, list[str]] = {}
    for dwelling in db.session.scalars(
        select(Dwelling).where(Dwelling.address_id.in_([s.address_id for s in turf.stops]))
    ):
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


def render(turf: Turf, heading: list[str]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_title(latin1(turf.name))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 8, latin1(turf.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for line in heading:
        pdf.cell(0, 5, latin1(line), new_x="LMARGIN", new_y="NEXT")
    _map(pdf, turf, pdf.get_y() + 2)
    pdf.set_y(pdf.get_y() + MAP_HEIGHT + 6)
    _table(pdf, door_rows(turf))
    return bytes(pdf.output())


def _map(pdf: FPDF, turf: Turf, top: float) -> None:
    """The outline and the numbered addresses, drawn to scale (metres east and north at this latitude)."""
    width = pdf.w - 2 * MARGIN
    outline = from_geojson(turf.geometry)
    west, south, east, north = outline.bounds
    shrink = math.cos(math.radians((south + north) / 2))
    span_x, span_y = max((east - west) * shrink, 1e-6), max(north - south, 1e-6)
    scale = min(width / span_x, MAP_HEIGHT / span_y)
    left = MARGIN + (width - span_x * scale) / 2

    def xy(lon, lat):
        return left + (lon - west) * shrink * scale, top + (north - lat) * scale

    pdf.set_draw_color(180)
    pdf.rect(MARGIN, top, width, MAP_HEIGHT)
    pdf.set_draw_color(11, 83, 148)
    pdf.set_line_width(0.6)
    for polygon in getattr(outline, "geoms", [outline]):
        pdf.polygon([xy(x, y) for x, y in polygon.exterior.coords], style="D")
    pdf.set_line_width(0.2)
    pdf.set_font("Helvetica", "", 6)
    pdf.set_draw_color(26)
    for stop in turf.stops:
        x, y = xy(stop.address.lon, stop.address.lat)
        pdf.circle(x=x, y=y, radius=1.2, style="D")
        pdf.text(x + 1.5, y - 0.5, str(stop.position + 1))


def _table(pdf: FPDF, rows: list[tuple[int, str, str]]) -> None:
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
