"""No browser or proxy cache keeps what the app answers: every answer says `Cache-Control: no-store`.

Checked as a class, from the URL map: every GET route is opened by someone allowed to see it, and
only the public files (static assets, the icon, the service worker's script) may be cached. A new route gets
the rule without anyone remembering it. The exports and a page are also fetched over real HTTP.
"""
import tests.actors
from tests.actors import (
    ADMIN,
    ANON,
    clients,
    url,
)
from tests.conftest import login
from tests.http import HttpClient
from tests.test_access_map import POLICY

world = tests.actors.world  # the fixture: every actor logged in on the same database

# A map tile may stay in the phone's own cache for a day (tests/test_tiles.py checks its header).
PUBLIC_FILES = {"static", "pwa.favicon", "pwa.service_worker", "tiles.tile"}
# The order in which to pick who opens a route: the admin sees most, then whoever the policy lets in.
PREFERENCE = [ADMIN, "sagene", "komite", "daniel", "baerum", "baerum_komite", "frida", "frogner", ANON]


def test_every_page_fragment_file_and_export_behind_the_login_says_no_store(world):
    actors = clients(world)
    wrong, opened, walked = [], 0, 0
    for rule in sorted(world.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in PUBLIC_FILES:
            continue
        allowed = POLICY[rule.endpoint] or {ANON}
        actor = next(a for a in PREFERENCE if a in allowed)
        address, walked = url(world, rule), walked + 1
        for client in (actors[actor], actors[ANON]):
            response = client.get(address)
            opened += response.status_code == 200
            said = response.headers.get("Cache-Control")
            if said != "no-store":
                wrong.append(f"GET {address} ({response.status_code}): Cache-Control {said!r}")
    assert wrong == [], "\n".join(wrong)
    assert opened > walked * 2 // 3, "the walk opened the pages themselves, not only the login page"


def test_the_public_files_stay_cacheable_so_phones_do_not_fetch_them_again(world):
    anonymous = world.test_client()
    style = anonymous.get("/static/css/app.css")
    assert style.status_code == 200 and "no-store" not in style.headers.get("Cache-Control", "")
    worker = anonymous.get("/sw.js")
    assert worker.headers["Cache-Control"] == "no-cache", "the browser asks for a new service worker each time"


def test_the_committees_exports_and_the_contact_list_say_no_store_over_http(live_server):
    committee = HttpClient(live_server)
    login(committee, "komite@oslo.demo")
    for address in ("/komite/", "/komite/innspill", "/komite/eksport.csv?tabell=ranking", "/komite/eksport.xlsx",
                    "/komite/rapport"):
        response = committee.get(address)
        assert response.status_code == 200, address
        assert response.headers["Cache-Control"] == "no-store", address
    anonymous = HttpClient(live_server)
    for address in ("/login", "/personvern/kontakter", "/finnes-ikke"):
        assert anonymous.get(address).headers["Cache-Control"] == "no-store", address
