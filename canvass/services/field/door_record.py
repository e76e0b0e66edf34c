"""One door record: the sync event a field form asks for, built once for every form of the field app.

The service worker builds the same event from the same form offline (`eventFrom` in static/sw.js);
tests/browser/test_door_record.py feeds one form to both and compares. Flask-free: `form` is
anything with `get(key)` and `getlist(key)` whose iteration gives its keys, such as a Werkzeug MultiDict.

A form names its door in one of three ways: `address_id` and `unit` fields (the conversation page,
the page's script), a `tap` button (`"not_home 91234 H0301"`: the walk list without JavaScript,
where one button carries the whole door), or an `undo` button (`"<id> not_home 91234 H0301"`).
"""
import math
import uuid
from datetime import UTC, datetime

from canvass.typed import row_id

KINDS = ("besok", "angre", "samtale", "notat", "innspill", "dor")
DOOR_FIELDS = ("label", "street", "number")


def field_unit(event_id: str) -> str:
    """The key of a door added in the field, from its record's id: the phone makes the same offline
    (`fieldUnit` in static/sw.js), so visits at the new door are recorded before the server has seen it."""
    return "+" + event_id.replace("-", "").lower()[:7]


def _number(value) -> int | None:
    """A whole number as a form sends it, or None: like `Number(x) || null` on the phone."""
    value = (value or "").strip()
    return row_id(value)


def _count(value):
    """A count of mailboxes as a form sends it: empty is 0, a whole number is itself, and anything else goes on
    as typed, so the server refuses it with a reason instead of storing a guess (`count` in static/sw.js)."""
    value = (value or "").strip()
    if not value:
        return 0
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else value


def _stamp(form) -> dict:
    """The record's id and time: from the phone's script, or made here for a page without it.

    Without script, the walk list carries one random `page` id; a door's id is derived from it, so a
    double tap on the same button of the same page is one record, not two."""
    event_id = form.get("id")
    if not event_id and form.get("page") and form.get("tap"):
        try:
            event_id = str(uuid.uuid5(uuid.UUID(form.get("page")), form.get("tap")))
        except ValueError:
            event_id = None
    return {"id": event_id or str(uuid.uuid4()),
            "recorded_at": form.get("recorded_at") or datetime.now(UTC).isoformat()}


def _coordinate(value) -> float | None:
    """A latitude or longitude as a form sends it, or None."""
    value = (value or "").strip()
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _added(form) -> dict:
    """A door missing at an address, or an address missing near it (`what`), as the missing-door page asks.

    Without script, a double submit of the page's form is one record: its id comes from the page's id."""
    stamp = _stamp(form)
    if not form.get("id") and form.get("page"):
        try:
            typed = " ".join(form.get(key) or "" for key in ("what", *DOOR_FIELDS))
            stamp["id"] = str(uuid.uuid5(uuid.UUID(form.get("page")), typed))
        except ValueError:
            pass
    return {**stamp, "type": "door", "what": form.get("what") or "door", "unit": field_unit(stamp["id"]),
            "turf_id": _number(form.get("turf_id")), "action_id": _number(form.get("action_id")),
            "address_id": _number(form.get("address_id")), **{key: form.get(key) or "" for key in DOOR_FIELDS},
            "lat": _coordinate(form.get("lat")), "lon": _coordinate(form.get("lon"))}


def _door(form) -> dict:
    """Outcome, address and door, from separate fields or from the one button pressed."""
    tap, undo = form.get("tap"), form.get("undo")
    if undo:
        parts = (undo.split(" ", 3) + ["", "", "", ""])[:4]
        return {"corrects": parts[0], "outcome": parts[1], "address_id": _number(parts[2]), "unit": parts[3]}
    if tap:
        parts = (tap.split(" ", 2) + ["", "", ""])[:3]
        return {"outcome": parts[0], "address_id": _number(parts[1]), "unit": parts[2]}
    return {"outcome": form.get("outcome"), "address_id": _number(form.get("address_id")),
            "unit": form.get("unit") or ""}


def _said(form) -> dict:
    return {"topics": [t.strip() for t in form.getlist("topic") if t.strip()], "words": form.get("words") or "",
            "importance": _number(form.get("importance"))}


def _answers(form) -> dict:
    """Answers to the action's questions (protocol 1.3): `answer-<id>` holds one value, `answers-<id>` the options
    ticked of a "several of several" question. Unanswered questions are left out; none at all, no key."""
    answers = {}
    for key in form:
        if key.startswith("answer-") and (form.get(key) or "").strip():
            answers[key.removeprefix("answer-")] = form.get(key)
        elif key.startswith("answers-"):
            ticked = [value for value in form.getlist(key) if value.strip()]
            if ticked:
                answers[key.removeprefix("answers-")] = ticked
    return answers


def event_from(form, kind: str) -> dict:
    """The sync event (docs/sync.md) a field form asks for; the sync checks decide whether it may be stored."""
    if kind == "notat":
        return {**_stamp(form), "type": "note", "turf_id": _number(form.get("turf_id")),
                "address_id": _number(form.get("address_id")), "text": form.get("text") or ""}
    if kind == "dor":
        return _added(form)
    if kind == "innspill":
        return {**_stamp(form), "type": "input", "action_id": _number(form.get("action_id")),
                "postnummer": (form.get("postnummer") or "").strip() or None, "conversation": _said(form)}
    event = {**_stamp(form), "type": "visit", "turf_id": _number(form.get("turf_id")),
             "action_id": _number(form.get("action_id")), **_door(form)}
    if kind == "angre" and not form.get("undo"):
        event["corrects"] = form.get("corrects")
    if kind == "besok" and event["outcome"] == "mailboxes":
        event["mailboxes"] = {key: _count(form.get(key)) for key in ("no_ads", "locked")}
    if kind == "samtale":
        event["outcome"] = "conversation"
        wants = {"wants_membership": form.get("wants_membership") == "1",
                 "wants_contact": form.get("wants_contact") == "1"}
        event["conversation"] = {**_said(form), **wants}
        if answers := _answers(form):
            event["conversation"]["answers"] = answers
        if form.get("consent") and any(wants.values()):
            event["contact"] = {"consent": True, "consent_version": form.get("consent"), "name": form.get("name") or "",
                                "phone": form.get("phone") or "", "email": form.get("email") or ""}
    return event


# What the page's script is told of a recorded door (static/js/walk.js), the same on every path that records one.
ANSWERED = ("id", "outcome", "address_id", "unit", "recorded_at", "corrects")


def answer(event: dict, status: str, refused=None) -> dict:
    """The JSON a recorded door is answered with: its status and the event as the page shows it."""
    return {"status": status, "event": {key: event.get(key) for key in ANSWERED}, **({"refused": refused} if refused
                                                                                       else {})}
