"""The installable app: web manifest and the service worker, served from the root so it controls every page."""
import hashlib
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext

from canvass import assets

bp = Blueprint("pwa", __name__)


@cache
def _worker_source(static_folder: str) -> str:
    """sw.js named after a hash of every static file, so a release with new files reaches phones.

    The worker serves static files from its cache; a new name makes the browser install the new
    worker, which fills a fresh cache and deletes the old one. Minified when built (canvass/assets.py).
    """
    folder = Path(static_folder)
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    source = assets.served(folder, "sw.js").read_text(encoding="utf-8")
    return source.replace('"canvass-dev"', f'"canvass-{digest.hexdigest()[:12]}"')


@bp.get("/sw.js")
def service_worker():
    response = Response(_worker_source(current_app.static_folder), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    response = jsonify({
        "name": "Canvass", "short_name": "Canvass", "lang": "nb",
        "description": gettext("Dørbanking: roder, gålister og samtaler, også uten nett."),
        "start_url": url_for("home.index"), "scope": "/", "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#0b5394",
        "icons": [{"src": url_for("static", filename=f"icons/icon-{size}.png"), "sizes": f"{size}x{size}",
                   "type": "image/png", "purpose": "any maskable"} for size in (192, 512)],
    })
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/favicon.ico")
def favicon():
    """The icon a browser asks for at the root of every site, whatever the page's <link rel="icon"> says: the app's
    own, so no page's visit ends in a 404 in the server's log and the browser's console."""
    response = current_app.send_static_file("icons/icon-192.png")
    response.headers["Cache-Control"] = "public, max-age=604800"
    return response


@bp.get("/uten-nett")
def offline():
    """The page the service worker shows for a page it has not kept, and (`?logg-ut`) for a logout the server did
    not answer; the same for everyone, so it may be public."""
    return render_template("offline.html", after_logout="logg-ut" in request.args)
