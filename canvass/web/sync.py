"""The sync API: phones get a device credential while online and send their outbox with it later.

Versioned under /api/sync/v1; documented in docs/sync.md. The events endpoint authenticates with
the device's bearer token rather than the session and its CSRF token, so a record queued at the
door is accepted when it is replayed the next morning. Every refusal is JSON with a Norwegian
reason; a bad event is refused on its own and never fails the rest of its batch.
"""
from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from canvass.clock import utcnow
from canvass.extensions import csrf, db
from canvass.services.field import sync
from canvass.services.people import logins
from canvass.web.limits import body_limit, shown

bp = Blueprint("sync", __name__, url_prefix="/api/sync/v1")


def _error(status: int, message: str):
    return jsonify({"protocol": sync.PROTOCOL, "error": message}), status


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    return _error(413, gettext("Sendingen er for stor (høyst %(size)s). Send færre registreringer om gangen.",
                               size=shown(request.max_content_length)))


@bp.post("/device")
@login_required
def device():
    """Issue a sync credential to this phone (the page asks once, while online and logged in)."""
    if not sync.may_record(current_user):
        return _error(403, gettext(sync.NOT_YOURS))
    token = sync.issue_device(
        current_user, request.headers.get("User-Agent", ""), login_id=logins.login_id(current_user)
    )
    # Whose it is: the phone keeps it under this person, whichever tab asked (static/js/outbox.js).
    return jsonify({"protocol": sync.PROTOCOL, "token": token, "user": str(current_user.id)})


@bp.post("/events")
@body_limit("SYNC_MAX_CONTENT_LENGTH")
@csrf.exempt
def events():
    """Store a batch of records once each and say what became of every one."""
    header = request.headers.get("Authorization", "")
    device = sync.device_for(header.removeprefix("Bearer ").strip()) if header.startswith("Bearer ") else None
    if device is None or not logins.device_running(device, logins.code_days(current_app.config)):
        return _error(401, gettext("Telefonen er ikke registrert. Logg inn på nytt mens du har nett."))
    if not sync.may_record(device.user):
        return _error(403, gettext(sync.NOT_YOURS))
    batch = sync.parse_batch(request.get_data(cache=False))
    if isinstance(batch, tuple):
        return _error(400, gettext(batch[0], **batch[1]))
    if len(batch) > sync.MAX_BATCH:
        return _error(413, gettext("For mange registreringer i én sending (høyst %(max)s).", max=sync.MAX_BATCH))
    results = sync.ingest(device.user, batch)
    device.last_seen_at = utcnow()
    db.session.commit()
    return jsonify({"protocol": sync.PROTOCOL, "version": sync.PROTOCOL_VERSION, "results": [
        {"id": r.id, "status": r.status, **({"reason": gettext(r.reason, **(r.params or {}))} if r.reason else {}),
         **({"refused": _refused(r.refused), "refused_parts": [_refused(p) for p in r.refused_parts]}
            if r.refused else {})}
        for r in results]})


def _refused(part: dict) -> dict:
    """The part of a stored event that was refused, and why, in the phone's language."""
    why = part["reason"]
    return {"part": part["part"], "reason": gettext(why)}
