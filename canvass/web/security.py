"""Headers every answer carries: a Content-Security-Policy without 'unsafe-inline', and the usual hardening.

Nothing the app answers is kept by a browser's or a proxy's HTTP cache (`Cache-Control: no-store`),
whatever the view set: pages, fragments, JSON, exports, PDFs and QR codes may carry personal data
or what lies behind a login, and a rule by class cannot be forgotten on the next new view. The
exceptions are the public files that hold none: the static folder, the icon, and the service worker's
script (revalidated on every load so a new release reaches the phones), and a map tile, which a
phone's own cache may keep for a day ("private": never a shared proxy, as the tiles a login asks
for say where it canvasses). The service worker keeps turf pages for offline use in its own Cache
Storage, which does not obey these headers.

Only our own scripts, styles and images load: map tiles come through our own route
(canvass/web/tiles.py), so no outside origin is needed. Browsers refuse inline scripts, style
attributes and <style> elements, so the templates have none (a test in tests/browser watches Chromium for refusals).
"""
from flask import Flask, request
from flask_babel import get_locale

# Endpoints whose answers hold nothing personal and may be cached as their views say.
PUBLIC_FILES = frozenset({"static", "pwa.favicon", "pwa.service_worker", "tiles.tile"})


def content_security_policy() -> str:
    return "; ".join([
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
        "frame-ancestors 'none'", "manifest-src 'self'", "worker-src 'self'",
    ])


class ServerDate:
    """WSGI middleware: the Date header is left to the server, once.

    Werkzeug's `make_conditional` (which Flask-Compress runs on every response it compresses, and `send_file` on every
    file) sets a Date in the app, and gunicorn adds its own: Chromium then hands a page the two joined into one value
    no script can read, and the walk list could not learn the server's clock (static/js/store.js, outsider L). Every
    server sends a Date itself (Werkzeug's when the app has none, nginx its own)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        def without_date(status, headers, exc_info=None):
            return start_response(status, [(name, value) for name, value in headers if name.lower() != "date"],
                                  exc_info)
        return self.wsgi_app(environ, without_date)


def harden(response, endpoint: str | None, policy: str, https: bool):
    """The headers every answer carries, set on `response`: by `register` for Flask's answers, and by the door tap
    answered below Flask (web/door_tap_gate.py)."""
    response.headers.setdefault("Content-Security-Policy", policy)
    # A tile route's refusal or login redirect is an ordinary answer and is not kept.
    if endpoint not in PUBLIC_FILES or (endpoint == "tiles.tile" and response.status_code != 200):
        response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.mimetype == "text/html":
        # The service worker keeps its no-signal page in the language the pages come in (static/sw.js).
        response.headers["Content-Language"] = str(get_locale())
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Permissions-Policy"] = "geolocation=(self), camera=(), microphone=(), payment=()"
    if https:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def register(app: Flask) -> None:
    policy = content_security_policy()
    https = app.config["SESSION_COOKIE_SECURE"]
    app.after_request(lambda response: harden(response, request.endpoint, policy, https))
