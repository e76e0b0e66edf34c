"""The paper walk sheet: a PDF with the turf's map and one row per door to tick."""
import io
from datetime import datetime

from PIL import Image
from sqlalchemy import select

from canvass.extensions import db
from canvass.geo import tiles
from canvass.models import Branch, Dwelling, User
from canvass.services.field import walk_sheet
from canvass.services.turf import actions, turfs
from tests.conftest import login
from tests.tile_standin import kartverket  # noqa: F401 (a fixture)


def sagene_turf():
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    return turfs.cut_turfs(sagene, ["0473"], target=60)[0]


def test_one_row_per_door_top_floor_first_where_dwellings_are_known(demo_app):
    t = sagene_turf()
    first = t.stops[0]
    db.session.add_all([Dwelling(address_id=first.address_id, unit=u) for u in ("H0101", "H0201", "H0202")])
    db.session.commit()
    rows = walk_sheet.door_rows(t)
    assert rows[:3] == [(1, first.address.label, "H0201"), (1, first.address.label, "H0202"),
                        (1, first.address.label, "H0101")]
    second = t.stops[1]
    expected = [f"dør {n}" for n in range(1, second.doors + 1)] or ["ingen boliger"]
    assert [door for number, _, door in rows if number == 2] == expected


def test_coordinator_and_volunteer_download_the_pdf(client):
    t = sagene_turf()
    login(client, "sagene@oslo.demo")
    response = client.get(f"/roder/{t.id}/gaaliste.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF") and t.name.encode("latin-1") in response.data

    action = actions.create_action(t.branch, "Torshov", "door", datetime(2026, 11, 26, 16, 30), "Torshovparken")
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    actions.assign(action, t, [daniel])
    assignment = actions.my_assignments(daniel)[0]
    assert client.get(f"/mine/roder/{assignment.id}/gaaliste.pdf").status_code == 404


def test_the_walk_sheet_prints_the_turf_on_kartverkets_map_from_our_tile_cache(client, demo_app, kartverket, tmp_path):  # noqa: F811
    demo_app.config.update(TILE_UPSTREAM=kartverket.template, TILE_CACHE_DIR=tmp_path)
    t = sagene_turf()
    login(client, "sagene@oslo.demo")
    sheet = client.get(f"/roder/{t.id}/gaaliste.pdf")
    assert sheet.status_code == 200 and b"/Subtype /Image" in sheet.data
    asked = sum(kartverket.asked.values())
    assert 1 <= asked <= 60 and list(tmp_path.rglob("*.png")), "stitched from tiles kept in our cache"
    assert client.get(f"/roder/{t.id}/gaaliste.pdf").status_code == 200
    assert sum(kartverket.asked.values()) == asked, "the second sheet is drawn from the cache alone"


def test_without_tiles_the_walk_sheet_still_prints_with_the_outline_alone(client, demo_app, kartverket, tmp_path):  # noqa: F811
    demo_app.config.update(TILE_UPSTREAM=kartverket.template, TILE_CACHE_DIR=tmp_path)
    kartverket.status = 503
    t = sagene_turf()
    login(client, "sagene@oslo.demo")
    sheet = client.get(f"/roder/{t.id}/gaaliste.pdf")
    assert sheet.status_code == 200 and sheet.data.startswith(b"%PDF") and b"/Subtype /Image" not in sheet.data
    assert kartverket.asked, "it tried"


def test_the_stitched_map_puts_a_place_exactly_where_the_sheet_draws_it():
    """A tile server that marks one door in red: the red lands where the sheet puts that door's circle."""
    lon, lat = 10.7650, 59.9340
    door_x, door_y = tiles.mercator(lon, lat)

    def marked(z, x, y):
        picture = Image.new("RGB", (256, 256), (255, 255, 255))
        px, py = door_x * 2 ** z * 256 - x * 256, door_y * 2 ** z * 256 - y * 256
        if 0 <= px < 256 and 0 <= py < 256:
            picture.paste((255, 0, 0), (int(px) - 2, int(py) - 2, int(px) + 3, int(py) + 3))
        out = io.BytesIO()
        picture.save(out, format="PNG")
        return out.getvalue()

    box = (door_x - 0.00003, door_y - 0.00001, door_x + 0.00005, door_y + 0.00003)
    picture = walk_sheet._stitch(marked, box)
    red = [(x, y) for x in range(picture.width) for y in range(picture.height)
           if picture.getpixel((x, y)) == (255, 0, 0)]
    centre_x, centre_y = sum(x for x, _ in red) / len(red), sum(y for _, y in red) / len(red)
    expected_x = (door_x - box[0]) / (box[2] - box[0]) * picture.width
    expected_y = (door_y - box[1]) / (box[3] - box[1]) * picture.height
    assert abs(centre_x - expected_x) < 2 and abs(centre_y - expected_y) < 2
    assert picture.width <= walk_sheet.MAP_PIXELS
