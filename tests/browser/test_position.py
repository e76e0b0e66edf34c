"""The canvasser's own position is shown on their phone's map and never sent to the server."""
import pytest

pytestmark = pytest.mark.browser


def test_my_position_stays_on_the_phone(volunteer):
    context, page, walk_url, _ = volunteer
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": 59.9355, "longitude": 10.7545})
    page.goto(walk_url)
    page.get_by_text("Kart", exact=True).click()
    page.wait_for_selector("#map[data-loaded]")
    sent = []
    page.on("request", lambda r: sent.append((r.url, r.post_data or "")))
    page.get_by_role("button", name="Vis meg").click()
    page.wait_for_function("""() => { let n = 0;
        document.getElementById('map').leafletMap.eachLayer(l => { if (l.options && l.options.radius === 8) n++; });
        return n === 1; }""")
    page.wait_for_timeout(500)
    assert not any("59.93" in url or "59.93" in body or "10.75" in body for url, body in sent)
