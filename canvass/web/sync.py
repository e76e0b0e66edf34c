"""The sync API: phones get a device credential while online and send their outbox with it later.

Versioned under /api/sync/v1; documented in docs/sync.md. The events endpoint authenticates with
the device's bearer token rather than the session and its CSRF token, so a record queued at the
door is accepted when it is replayed the next morning.
"""
from flask import Blueprint, jsonify, request
from flask_babel import gettext
from flask_login import current_user, login_required

from canvass.clock import utcnow
from canvass.extensions import csrf, db
from canvass.services import logins, sync

bp = Blueprint("sync", __name__, url_prefix="/api/sync/v1")


def _error(status: int, message: str):
    return jsonify({"protocol": sync.PROTOCOL, "error": message}), status


@bp.post("/device")
@login_required
def device():
    """Issue a sync credential to this phone (the page asks once, while online and logged in)."""
    token = sync.issue_device(current_user, request.headers.get("User-Agent", ""), login_id=logins.login_id(current_user))
    return jsonify({"protocol": sync.PROTOCOL, "token": token})


@bp.post("/events")
@csrf.exempt
def events():
    """Store a batch of records once each and say what became of every one."""
    header = request.headers.get("Authorization", "")
    device = sync.device_for(header.removeprefix("Bearer ").strip()) if header.startswith("Bearer ") else None
    if device is None:
        return _error(401, gettext("Telefonen er ikke registrert. Logg inn på nytt mens du har nett."))
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        return _error(400, gettext("Ugyldig forespørsel."))
    if len(payload["events"]) > sync.MAX_BATCH:
        return _error(413, gettext("For mange registreringer i én sending (høyst %(max)s).", max=sync.MAX_BATCH))
    results = sync.ingest(device.user, payload["events"])
    device.last_seen_at = utcnow()
    db.session.commit()
    return jsonify({"protocol": sync.PROTOCOL, "results": [
        {"id": r.id, "status": r.status, **({"reason": gettext(r.reason, **(r.params or {}))} if r.reason else {})}
        for r in results]})
