"""Headers every answer carries: a Content-Security-Policy without 'unsafe-inline', and the usual hardening.

Nothing the app answers is kept by a browser's or a proxy's HTTP cache (`Cache-Control: no-store`),
whatever the view set: pages, fragments, JSON, exports, PDFs and QR codes may carry personal data
or what lies behind a login, and a rule by class cannot be forgotten on the next new view. The
exceptions are the public files that hold none: the static folder and the service worker's
script (revalidated on every load so a new release reaches the phones). The service worker keeps
turf pages for offline use in its own Cache Storage, which does not obey these headers.

Only our own scripts and styles run; the map tiles are the one outside source, taken from the
configured tile URL. Browsers refuse inline scripts, style attributes and <style> elements, so
the templates have none (a test in tests/browser watches Chromium for refusals).
"""
from urllib.parse import urlsplit

from flask import Flask, request

# Endpoints whose answers hold nothing personal and may be cached as their views say.
PUBLIC_FILES = frozenset({"static", "pwa.service_worker"})


def content_security_policy(tile_url: str) -> str:
    tiles = urlsplit(tile_url.replace("{s}", "a"))
    tile_origin = f"{tiles.scheme}://{tiles.netloc}" if tiles.netloc else ""
    return "; ".join([
        "default-src 'self'", "script-src 'self'", "style-src 'self'", f"img-src 'self' data: {tile_origin}".strip(),
        "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
        "frame-ancestors 'none'", "manifest-src 'self'", "worker-src 'self'",
    ])


def register(app: Flask) -> None:
    policy = content_security_policy(app.config["TILE_URL"])
    https = app.config["SESSION_COOKIE_SECURE"]

    @app.after_request
    def harden(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        if request.endpoint not in PUBLIC_FILES:
            response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Permissions-Policy"] = "geolocation=(self), camera=(), microphone=(), payment=()"
        if https:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response
