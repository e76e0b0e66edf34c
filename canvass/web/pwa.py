"""The installable app: web manifest and the service worker, served from the root so it controls every page."""
from flask import Blueprint, current_app, jsonify, send_from_directory, url_for
from flask_babel import gettext

bp = Blueprint("pwa", __name__)


@bp.get("/sw.js")
def service_worker():
    response = send_from_directory(current_app.static_folder, "sw.js", mimetype="text/javascript", max_age=0)
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
