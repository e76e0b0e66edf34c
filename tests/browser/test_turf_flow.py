"""In a real Chromium: a coordinator cuts turf on the map, hands one to a volunteer, who sees it on their phone."""
from datetime import datetime

import pytest
import shapely
from sqlalchemy import select

from canvass.extensions import db
from canvass.geo.geometry import from_geojson
from canvass.models import Branch, PostalArea
from canvass.services.turf import actions
from tests.browser.test_join_and_map import log_in

pytestmark = pytest.mark.browser


def tap_postal_code(page, code: str):
    inside = from_geojson(db.session.get(PostalArea, code).geometry).representative_point()
    point = page.evaluate(
        "([lat, lon]) => document.getElementById('map').leafletMap.latLngToContainerPoint([lat, lon])",
        [inside.y, inside.x],
    )
    page.locator("#map").click(position={"x": point["x"], "y": point["y"]})


def test_cut_on_the_map_assign_and_the_volunteer_sees_the_turf(live_server, browser):
    from tests.browser.conftest import PHONE, log_in_as_daniel

    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    action = actions.create_action(
        sagene, "Dørbank på Torshov", "door", datetime(2026, 11, 26, 16, 30), "Torshovparken"
    )
    coordinator_phone = browser.new_context(**PHONE)
    page = coordinator_phone.new_page()
    log_in(page, live_server, "sagene@oslo.demo")
    page.goto(f"{live_server}/lag/{sagene.id}/roder")
    page.wait_for_selector("#map[data-loaded]")
    tap_postal_code(page, "0473")
    assert page.locator('input[name="postnummer"][value="0473"]').is_checked()
    page.get_by_label("Dører per rode").fill("60")
    page.get_by_role("button", name="Del inn i roder").click()
    assert "Delte inn i" in page.inner_text("main")
    first_turf = page.locator(".cards a strong").first.inner_text()
    assert first_turf.startswith("0473-")

    page.goto(f"{live_server}/aksjoner/{action.id}")
    row = page.locator(".turf-row").filter(has_text=first_turf)
    row.locator("select").first.select_option(label="Daniel Dørbanker")
    row.get_by_role("button", name="Tildel").click()
    assert f"{first_turf} er tildelt Daniel Dørbanker." in page.inner_text("main")
    coordinator_phone.close()

    volunteer_phone = browser.new_context(**PHONE)
    phone = log_in_as_daniel(volunteer_phone, live_server)
    phone.get_by_role("link", name=first_turf).click()
    phone.get_by_text("Kart", exact=True).click()
    phone.wait_for_selector("#map[data-loaded]")
    assert phone.locator("h1").inner_text() == first_turf
    assert phone.locator("ol.field-list > li").count() > 3
    volunteer_phone.close()


def test_a_turf_name_with_markup_is_shown_on_the_map_as_text(live_server, browser):
    from canvass.services.turf import turfs
    from tests.browser.conftest import PHONE

    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    for turf in turfs.cut_turfs(sagene, ["0473"], target=200):
        turfs.rename(turf, '<img src=x onerror="document.title=1">Rode')
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, live_server, "sagene@oslo.demo")
    page.goto(f"{live_server}/lag/{sagene.id}/roder")
    page.wait_for_selector("#map[data-overlay-loaded]")
    labels = page.locator(".leaflet-tooltip")
    assert labels.first.inner_text().startswith('<img src=x onerror="document.title=1">Rode')
    assert page.locator(".leaflet-tooltip img").count() == 0
    context.close()


def test_after_cutting_the_map_opens_on_the_new_turf_with_labels_that_never_overlap(live_server, browser):
    from canvass.services.turf import turfs
    from tests.browser.conftest import PHONE
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    # Turf elsewhere in the district, so framing all of the branch's turf would be a wider view.
    turfs.cut_turfs(sagene, ["0461", "0482"], target=70)
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, live_server, "sagene@oslo.demo")
    page.goto(f"{live_server}/lag/{sagene.id}/roder")
    page.wait_for_selector("#map[data-overlay-loaded]")
    page.locator('input[name="postnummer"][value="0473"]').check()
    page.get_by_label("Dører per rode").fill("70")
    page.get_by_role("button", name="Del inn i roder").click()
    page.wait_for_selector("#map[data-overlay-loaded]")

    new = [t for t in turfs.live_turfs(sagene) if t.name.startswith("0473-")]
    west, south, east, north = shapely.union_all([from_geojson(t.geometry) for t in new]).bounds
    view = page.evaluate("""() => { const b = document.getElementById('map').leafletMap.getBounds();
                                    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; }""")
    # The whole new turf is in view, and it fills the view: no more than twice its size either way.
    assert view[0] <= west and view[1] <= south and view[2] >= east and view[3] >= north
    assert (view[2] - view[0]) <= 2.5 * (east - west) or (view[3] - view[1]) <= 2.5 * (north - south)

    # The new turf is listed first by number: 0473-2 before 0473-10.
    names = [n for n in page.locator(".cards a strong").all_inner_texts() if n.startswith("0473-")]
    assert "0473-1" in page.locator(".leaflet-tooltip.turf-label").all_text_contents()
    numbers = [int(n.split()[0].split("-")[1]) for n in names]
    assert numbers == sorted(numbers) and len(numbers) == len(new) >= 10

    shown = page.locator(".leaflet-tooltip.turf-label:not(.crowded)")
    assert shown.count() >= 3
    boxes = [shown.nth(k).bounding_box() for k in range(shown.count())]
    for k, a in enumerate(boxes):
        for b in boxes[k + 1:]:
            assert (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"] or
                    a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"]), "two labels overlap"
    # Zoomed out, more labels collide and are hidden, and still none overlap.
    page.evaluate("document.getElementById('map').leafletMap.setZoom(12, {animate: false})")
    page.wait_for_function("document.querySelectorAll('.leaflet-tooltip.turf-label.crowded').length > 0")
    context.close()
