"""The basemap through our own server: Kartverket's tiles reach phones only via our tile route and its disk cache.

Kartverket is played by a loopback stand-in (tests/tile_standin.py) that answers as the real cache
does: the row before the column in its URL, PNG bodies, 404 outside its range.
"""
import os
import re
import threading
import time

import pytest

from canvass.geo import tiles
from canvass.services.turf import actions
from tests.conftest import daniels_turf_tonight, login, login_as_volunteer
from tests.tile_standin import kartverket  # noqa: F401 (a fixture)

# Torshov (0473) at zoom 16.
Z = 16
X, Y = tiles.tile_of(10.7650, 59.9340, Z)


@pytest.fixture
def mapped_app(demo_app, kartverket, tmp_path):  # noqa: F811
    demo_app.config.update(TILE_UPSTREAM=kartverket.template, TILE_CACHE_DIR=tmp_path / "tiles")
    return demo_app


@pytest.fixture
def sagene(mapped_app):
    client = mapped_app.test_client()
    login(client, "sagene@oslo.demo")
    return client


def tile_url(layer="topograatone", z=Z, x=X, y=Y) -> str:
    return f"/kart/fliser/{layer}/{z}/{x}/{y}.png"


def test_a_tile_comes_from_kartverket_with_the_row_before_the_column_and_the_second_time_from_disk(
        sagene, kartverket):  # noqa: F811
    first = sagene.get(tile_url())
    assert first.status_code == 200 and first.mimetype == "image/png" and first.data.startswith(tiles.PNG)
    assert first.headers["Cache-Control"] == "private, max-age=86400"
    assert first.data == kartverket.bodies["topograatone"]
    assert dict(kartverket.asked) == {kartverket.tile_path("topograatone", Z, X, Y): 1}
    assert f"/{Z}/{Y}/{X}.png" in next(iter(kartverket.asked))

    again = sagene.get(tile_url())
    assert again.status_code == 200 and again.data == first.data
    assert sum(kartverket.asked.values()) == 1, "the second request was answered from our disk cache"
    colour = sagene.get(tile_url("topo"))
    assert colour.data == kartverket.bodies["topo"] and sum(kartverket.asked.values()) == 2


@pytest.mark.parametrize("path", [
    tile_url(z=19), tile_url(z=99999999999999999999), tile_url(x=2 ** Z), tile_url(y=2 ** Z), tile_url(z=1, x=2, y=0),
    tile_url(layer="osm"), tile_url(layer="..") , "/kart/fliser/topo/16/-1/5.png", "/kart/fliser/topo/16/1.5/5.png",
    "/kart/fliser/topo/16/abc/5.png", "/kart/fliser/topo/16/1/5.jpg", "/kart/fliser/topo/16/1/5.png/../../x",
    "/kart/fliser/https:%2F%2Fexample.com/1/0/0.png",
])
def test_anything_but_a_real_tile_of_a_configured_layer_is_refused_and_never_reaches_kartverket(
        sagene, kartverket, path):  # noqa: F811
    assert sagene.get(path).status_code == 404
    assert not kartverket.asked


def test_a_layer_left_out_of_the_configuration_is_not_served(sagene, mapped_app, kartverket):  # noqa: F811
    mapped_app.config["TILE_LAYERS"] = ("topograatone",)
    assert sagene.get(tile_url("topo")).status_code == 404
    assert not kartverket.asked


def test_an_anonymous_visitor_gets_no_tile_and_kartverket_is_not_asked(mapped_app, kartverket):  # noqa: F811
    response = mapped_app.test_client().get(tile_url())
    assert response.status_code == 302 and response.location.startswith("/login")
    assert response.headers["Cache-Control"] == "no-store"
    assert not kartverket.asked


def test_kartverket_failing_gives_a_plain_502_that_names_neither_it_nor_its_address(sagene, kartverket):  # noqa: F811
    kartverket.status = 500
    response = sagene.get(tile_url())
    assert response.status_code == 502 and response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    assert "Kartet kan ikke hentes akkurat nå." in body
    assert "127.0.0.1" not in body and "kartverket" not in body.lower() and "500" not in body


def test_kartverket_unreachable_gives_502_and_too_slow_gives_504(sagene, mapped_app, kartverket):  # noqa: F811
    mapped_app.config["TILE_TIMEOUT_SECONDS"] = 0.3
    kartverket.delay = 1.5
    assert sagene.get(tile_url()).status_code == 504
    mapped_app.extensions.pop("canvass-tiles")
    mapped_app.config["TILE_UPSTREAM"] = "http://127.0.0.1:9/{layer}/{z}/{y}/{x}.png"
    assert sagene.get(tile_url()).status_code == 502


def test_a_tile_kartverket_does_not_have_is_a_404(sagene, kartverket):  # noqa: F811
    kartverket.bodies.pop("toporaster")
    kartverket.status = 404
    assert sagene.get(tile_url("toporaster")).status_code == 404


def test_an_expired_tile_is_fetched_again_and_an_old_one_still_serves_while_kartverket_is_down(
        sagene, mapped_app, kartverket):  # noqa: F811
    assert sagene.get(tile_url()).status_code == 200
    stored = mapped_app.config["TILE_CACHE_DIR"] / "topograatone" / str(Z) / str(X) / f"{Y}.png"
    month_ago = time.time() - 31 * 86400
    os.utime(stored, (month_ago, month_ago))
    assert sagene.get(tile_url()).status_code == 200
    assert sum(kartverket.asked.values()) == 2, "an expired tile goes back to Kartverket"
    os.utime(stored, (month_ago, month_ago))
    kartverket.status = 503
    stale = sagene.get(tile_url())
    assert stale.status_code == 200 and stale.data == kartverket.bodies["topograatone"]


def test_many_requests_for_one_tile_at_once_fetch_it_from_kartverket_once(kartverket, tmp_path):  # noqa: F811
    cache = tiles.TileCache(tmp_path, kartverket.template, max_bytes=10 ** 7, max_age=3600)
    kartverket.delay = 0.3
    bodies = []
    workers = [threading.Thread(target=lambda: bodies.append(cache.get("topo", Z, X, Y))) for _ in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert bodies == [kartverket.bodies["topo"]] * 8
    assert sum(kartverket.asked.values()) == 1


def test_the_disk_cache_stays_within_its_bound_dropping_the_oldest_tiles_first(kartverket, tmp_path):  # noqa: F811
    one = len(kartverket.bodies["topo"])
    cache = tiles.TileCache(tmp_path, kartverket.template, max_bytes=one * 10, max_age=3600)
    for x in range(30):
        cache.get("topo", Z, X + x, Y)
        past = time.time() - 1000 + x
        os.utime(cache.path("topo", Z, X + x, Y), (past, past))
    cache.trim()
    kept = sorted(int(path.parent.name) - X for _, _, path in cache.files())
    assert sum(size for _, size, _ in cache.files()) <= one * 10
    assert kept == list(range(30 - len(kept), 30)), "the newest tiles stay"


def test_the_tiles_over_a_turf_cover_it_from_zoom_15_up_and_stop_before_the_limit():
    bounds = (10.760, 59.932, 10.770, 59.937)
    every = tiles.covering(bounds, (15, 16, 17, 18), limit=10_000)
    assert {z for z, _, _ in every} == {15, 16, 17, 18}
    assert all(tiles.valid(z, x, y) for z, x, y in every)
    for corner in ((10.760, 59.932), (10.770, 59.937)):
        for z in (15, 16, 17, 18):
            assert (z, *tiles.tile_of(*corner, z)) in every
    fewer = tiles.covering(bounds, (15, 16, 17, 18), limit=len(every) - 1)
    assert {z for z, _, _ in fewer} == {15, 16, 17} and len(fewer) < len(every)


def test_daniel_gets_the_list_of_his_turfs_tiles_with_their_size_and_nobody_else_does(mapped_app, kartverket):  # noqa: F811
    turf, action, daniel = daniels_turf_tonight()
    assignment = actions.my_assignments(daniel)[0]
    phone = mapped_app.test_client()
    login_as_volunteer(phone, daniel)
    answer = phone.get(f"/kart/roder/{assignment.id}/fliser.json").get_json()
    assert answer["allowed"] and 0 < answer["count"] <= mapped_app.config["TILE_DOWNLOAD_LIMIT"]
    assert answer["count"] == len(answer["tiles"]) == len(set(answer["tiles"]))
    zooms = {int(re.fullmatch(r"/kart/fliser/topograatone/(\d+)/\d+/\d+\.png", u)[1]) for u in answer["tiles"]}
    assert zooms == {15, 16, 17, 18}
    assert answer["bytes"] == answer["count"] * tiles.TYPICAL_TILE_BYTES, "an estimate before anything is cached"
    assert not kartverket.asked, "listing the tiles fetches none"
    first = answer["tiles"][0]
    assert phone.get(first).status_code == 200
    measured = phone.get(f"/kart/roder/{assignment.id}/fliser.json").get_json()["bytes"]
    assert measured == answer["count"] * len(kartverket.bodies["topograatone"]), "the size measured on disk"

    coordinator = mapped_app.test_client()
    login(coordinator, "sagene@oslo.demo")
    assert coordinator.get(f"/kart/roder/{assignment.id}/fliser.json").status_code == 404


def test_tiles_from_openstreetmaps_own_servers_are_never_listed_for_an_offline_download(mapped_app):
    mapped_app.config["TILE_UPSTREAM"] = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    turf, action, daniel = daniels_turf_tonight()
    phone = mapped_app.test_client()
    login_as_volunteer(phone, daniel)
    answer = phone.get(f"/kart/roder/{actions.my_assignments(daniel)[0].id}/fliser.json").get_json()
    assert answer == {"tiles": [], "count": 0, "bytes": 0, "allowed": False}
    assert tiles.prefetch_allowed(tiles.KARTVERKET) and not tiles.prefetch_allowed("")


def test_the_maps_ask_our_own_server_for_tiles_and_credit_kartverket(mapped_app):
    turf, action, daniel = daniels_turf_tonight()
    phone = mapped_app.test_client()
    login_as_volunteer(phone, daniel)
    page = phone.get(f"/felt/{actions.my_assignments(daniel)[0].id}").get_data(as_text=True)
    assert 'data-tiles="/kart/fliser/topograatone/{z}/{x}/{y}.png"' in page
    assert "© Kartverket (CC BY 4.0)" in page
    assert "img-src 'self' data:;" in phone.get("/").headers["Content-Security-Policy"]


def test_without_a_basemap_the_map_draws_outlines_only_and_the_route_serves_nothing(client):
    turf, action, daniel = daniels_turf_tonight()
    login_as_volunteer(client, daniel)
    page = client.get(f"/felt/{actions.my_assignments(daniel)[0].id}").get_data(as_text=True)
    assert 'data-tiles=""' in page
    assert client.get(tile_url()).status_code == 404


def test_one_person_cannot_make_the_server_fetch_tiles_without_end_but_keeps_what_is_cached(
        mapped_app, sagene, kartverket):  # noqa: F811
    mapped_app.config["TILE_FETCH_LIMIT"] = "3 per hour"
    assert [sagene.get(tile_url(x=X + i)).status_code for i in range(3)] == [200, 200, 200]
    refused = sagene.get(tile_url(x=X + 3))
    assert refused.status_code == 429 and "For mange nye kartbiter" in refused.get_data(as_text=True)
    assert sum(kartverket.asked.values()) == 3
    # A tile on our disk is no work for Kartverket and still comes.
    assert sagene.get(tile_url(x=X)).status_code == 200
    # The count is per person: a colleague still gets new tiles.
    frogner = mapped_app.test_client()
    login(frogner, "frogner@oslo.demo")
    assert frogner.get(tile_url(x=X + 3)).status_code == 200
