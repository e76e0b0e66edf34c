"""The basemap through our own server: tiles for logged-in users, and the list of a turf's tiles to download.

Phones never ask the tile provider themselves, so the provider never learns where volunteers are,
and the Content-Security-Policy needs no outside origin. Only the configured layers, zooms and
tile numbers are served: the route is not a proxy for anything else.
"""
import threading

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from limits import parse

from canvass.extensions import db, limiter
from canvass.geo import tiles
from canvass.geo.geometry import from_geojson
from canvass.models import Assignment, Turf
from canvass.services.geography import attribution

bp = Blueprint("tiles", __name__)
# A day in the phone's own cache: tiles change rarely, and the route sits behind a login.
BROWSER_CACHE = "private, max-age=86400"


def tile_cache(app: Flask) -> tiles.TileCache | None:
    """The app's tile cache, made on first use from its settings; None when the basemap is turned off."""
    if not app.config.get("TILE_UPSTREAM"):
        return None
    cache = app.extensions.get("canvass-tiles")
    if cache is None:
        cache = app.extensions["canvass-tiles"] = tiles.TileCache(
            folder=app.config["TILE_CACHE_DIR"], upstream=app.config["TILE_UPSTREAM"],
            max_bytes=app.config["TILE_CACHE_MB"] * 1024 * 1024, max_age=app.config["TILE_CACHE_DAYS"] * 86400,
            timeout=app.config["TILE_TIMEOUT_SECONDS"])
    return cache


def tile_template(app: Flask) -> str:
    """The address template Leaflet fills in, or "" without a basemap."""
    if not app.config.get("TILE_UPSTREAM"):
        return ""
    base = url_for("tiles.tile", layer=app.config["TILE_LAYER"], z=0, x=0, y=0)
    return base.removesuffix("/0/0/0.png") + "/{z}/{x}/{y}.png"


def basemap(app: Flask):
    """What the walk sheet draws its map from: a function (z, x, y) -> PNG bytes or None, or None without tiles."""
    cache = tile_cache(app)
    if cache is None:
        return None
    # Read now: the walk sheet fetches tiles in threads of its own, outside the app context.
    layer, max_zoom = app.config["TILE_LAYER"], app.config["TILE_MAX_ZOOM"]

    down = threading.Event()

    def fetch(z: int, x: int, y: int) -> bytes | None:
        if not tiles.valid(z, x, y, max_zoom):
            return None
        if down.is_set():
            # Once the provider has failed, the rest of the sheet uses what the cache holds: the sheet is
            # printed in seconds, not after one timeout per tile.
            return cache.cached(layer, z, x, y)
        try:
            return cache.get(layer, z, x, y)
        except tiles.TileError as exc:
            if exc.status != 404:
                down.set()
            return None

    fetch.attribution = app.config["TILE_ATTRIBUTION"]
    return fetch


@bp.record_once
def map_settings(state):
    # A global, not a context variable: the map macro is imported without the page's context.
    state.app.jinja_env.globals["tile_template"] = lambda: tile_template(current_app)
    state.app.jinja_env.globals["map_attribution"] = map_attribution


def map_attribution() -> str:
    """The map's credits in the page's language: the basemap's, and those of the data the user's
    organisation holds (an operator's own basemap text is shown as configured)."""
    basemap = current_app.config["TILE_ATTRIBUTION"]
    if basemap == attribution.BASEMAP:
        basemap = gettext(basemap)
    organisation_id = current_user.organisation_id if current_user.is_authenticated else None
    return ". ".join([basemap, *(gettext(c) for c in attribution.held_credits(organisation_id))]) + "."


@bp.get("/kart/fliser/<layer>/<int:z>/<int:x>/<int:y>.png")
@login_required
def tile(layer: str, z: int, x: int, y: int):
    config = current_app.config
    cache = tile_cache(current_app)
    if cache is None or layer not in config["TILE_LAYERS"] or not tiles.valid(z, x, y, config["TILE_MAX_ZOOM"]):
        abort(404)
    body = cache.cached(layer, z, x, y)
    if body is None and not _may_fetch():
        return Response(gettext("For mange nye kartbiter på kort tid. Prøv igjen om litt."), status=429,
                        mimetype="text/plain", headers={"Retry-After": "60"})
    try:
        body = body or cache.get(layer, z, x, y)
    except tiles.TileError as exc:
        current_app.logger.warning("map tile %s/%s/%s/%s: %s", layer, z, x, y, exc)
        # Never the provider's answer or address: only that the map is not to be had just now.
        message = gettext("Kartet kan ikke hentes akkurat nå.") if exc.status != 404 else gettext("Ingen kartrute her.")
        return Response(message, status=exc.status, mimetype="text/plain")
    response = Response(body, mimetype="image/png")
    response.headers["Cache-Control"] = BROWSER_CACHE
    return response


def _may_fetch() -> bool:
    """Whether this user may have one more tile fetched from the provider now.

    Tiles already on our disk cost nothing and are not counted. Anyone who opened an invite link is logged
    in, so without a count per person the route would fetch all of Norway's tiles for whoever asks."""
    if not limiter.enabled:
        return True
    return limiter.limiter.hit(parse(current_app.config["TILE_FETCH_LIMIT"]), "tile-fetch", str(current_user.id))


@bp.get("/kart/roder/<int:assignment_id>/fliser.json")
@login_required
def turf_tiles(assignment_id: int):
    """The tiles "Last ned roden" keeps on the phone, and about how much they weigh."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.user_id != current_user.id:
        abort(404)
    config = current_app.config
    cache = tile_cache(current_app)
    if cache is None:
        return jsonify({"tiles": [], "count": 0, "bytes": 0, "allowed": True})
    if not tiles.prefetch_allowed(config["TILE_UPSTREAM"]):
        return jsonify({"tiles": [], "count": 0, "bytes": 0, "allowed": False})
    turf: Turf = assignment.turf
    covering = tiles.covering(from_geojson(turf.geometry).bounds, config["TILE_DOWNLOAD_ZOOMS"],
                              config["TILE_DOWNLOAD_LIMIT"])
    layer = config["TILE_LAYER"]
    known, unknown = cache.size_of(layer, covering)
    average = known // (len(covering) - unknown) if len(covering) > unknown else tiles.TYPICAL_TILE_BYTES
    return jsonify({"tiles": [url_for("tiles.tile", layer=layer, z=z, x=x, y=y) for z, x, y in covering],
                    "count": len(covering), "bytes": known + unknown * average, "allowed": True})
