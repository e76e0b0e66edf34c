"""The canvasser's field app: the walk list of their turf, a door recorded in one tap, conversations.

Every form works without JavaScript; htmx swaps just the door that changed; offline, the service
worker answers the same posts from the phone's outbox (static/sw.js).
"""
import uuid

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from canvass.extensions import db, limiter
from canvass.models import Action, Address, Assignment, FieldDoor, Outcome, TurfAddress, Visit
from canvass.privacy import consent
from canvass.services.field import door_record, field, mailboxes, sync
from canvass.services.turf import actions
from canvass.web import door_tap_gate
from canvass.web.questions import YES_NO_LABELS

bp = Blueprint("field", __name__, url_prefix="/felt")
OUTCOME_LABELS = {
    Outcome.NOT_HOME: _l("Ikke hjemme"), Outcome.CONVERSATION: _l("Samtale"), Outcome.REFUSED: _l("Nei takk"),
    Outcome.OPENED: _l("Åpnet, ingen samtale"), Outcome.DO_NOT_KNOCK: _l("Ikke bank på igjen"),
    Outcome.INACCESSIBLE: _l("Ikke tilgang"), Outcome.LEAFLET: _l("Løpeseddel lagt igjen"),
    Outcome.MAILBOXES: _l("Lagt i alle postkasser"),
}
IMPORTANCE = {1: _l("Litt"), 2: _l("Mye"), 3: _l("Svært mye")}


@limiter.request_filter
def _tap_is_not_limited() -> bool:
    """A door record has no rate limit: spare the commonest post the limiter's look-up of limits that are not there."""
    return request.endpoint == "field.record"


def my_assignment(assignment_id: int) -> Assignment:
    # With its action in the same query: every record names the action, and the check finds it loaded.
    assignment = db.session.get(Assignment, assignment_id, options=[joinedload(Assignment.action)])
    if assignment is None or assignment.user_id != current_user.id:
        abort(404)
    return assignment


def _record(event: dict, same_button: bool = False) -> sync.Result:
    """Store one event as sync would; a refusal answers 400 with its reason.

    `same_button`: the id was derived from the page and the button (no script), so a record under it is
    this door's same outcome, pressed twice; only the server's clock differs. That is a duplicate."""
    result = sync.ingest(current_user, [event])[0]
    if same_button and result.status == "conflict":
        return sync.Result(result.id, "duplicate")
    if result.status not in ("stored", "duplicate"):
        _refuse(gettext(result.reason, **(result.params or {})))
    return result


def _wants_json() -> bool:
    """The page's own script asks for data to show in its template; a page without script gets HTML."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def _door_anchor(event: dict) -> str:
    return f"#d-{event.get('address_id')}-{event.get('unit', '')}"


@bp.get("/<int:assignment_id>")
@login_required
def walk(assignment_id: int):
    """The walk list: one form for the whole turf, a row of buttons for every door, done doors folded."""
    assignment = my_assignment(assignment_id)
    if mailboxes.is_leaflet(assignment.action):
        return _mailbox_round(assignment)
    second_round = request.args.get("runde") == "2"
    stops = field.walk_list(assignment.turf, assignment.action_id)
    if second_round:
        for door in (door for stop in stops for door in stop.doors if door.last == Outcome.NOT_HOME):
            door.tonight = False
    return render_template("field/walk.html", assignment=assignment, action=assignment.action, turf=assignment.turf,
                           stops=stops, tally=field.evening(stops), Outcome=Outcome, page_id=uuid.uuid4(),
                           second_round=second_round, first_door=_first_door(assignment),
                           # Translated once, not once per button: a long list has hundreds.
                           labels={outcome: str(label) for outcome, label in OUTCOME_LABELS.items()})


def _first_door(assignment: Assignment) -> bool:
    """Whether the canvasser has recorded no door in this action yet: the guide is shown open until then.
    Asked only when the action has a guide, so a walk list without one costs no query more."""
    return bool(assignment.action.guide) and not db.session.scalar(select(exists().where(
        Visit.canvasser_id == current_user.id, Visit.action_id == assignment.action_id)))


def _mailbox_round(assignment: Assignment):
    """A leaflet round: entrances with their mailboxes, one tap each; no doors and no conversation form."""
    stops = mailboxes.entrances(assignment.turf, assignment.action_id)
    return render_template("field/mailboxes.html", assignment=assignment, action=assignment.action,
                           turf=assignment.turf, stops=stops, page_id=uuid.uuid4(), first_door=_first_door(assignment),
                           done=sum(1 for s in stops if s.done), households=sum(s.mailboxes for s in stops),
                           reached=sum(s.mailboxes for s in stops if s.done))


@bp.get("/<int:assignment_id>/dorer.json")
@login_required
def door_states(assignment_id: int):
    """Every door done in this action, by anyone on the turf: a partner's phone polls it so nobody knocks twice."""
    assignment = my_assignment(assignment_id)
    response = jsonify(field.door_states(assignment.turf, assignment.action_id))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:assignment_id>/besok")
@login_required
def record(assignment_id: int):
    """Record what happened at one door (or, from a folded door's undo button, undo it).

    A plain tap from the walk list's script is answered below Flask's request cycle (web/door_tap_gate.py). What
    that does not store plainly (a form posted without script, an undo, a conversation, anything refused) comes
    here and is answered as it always has been."""
    if request.environ.get(door_tap_gate.WAITED_OUT):
        # The gate waited the database's whole lock timeout for this tap: a second wait would hold this worker as
        # long again. The phone keeps the tap and sends it again.
        abort(503)
    assignment = my_assignment(assignment_id)
    kind = "angre" if request.form.get("undo") else "besok"
    wanted = door_record.event_from(request.form, kind)
    wrong = mailboxes.wrong_round(assignment.action, wanted["outcome"])
    if wrong:
        _refuse(gettext(wrong))
    if kind == "besok" and wanted["outcome"] in ("conversation", "more"):
        # The door's own page: a conversation, or (more) the rarer outcomes and a note.
        return redirect(url_for("field.conversation", assignment_id=assignment.id, address_id=wanted["address_id"],
                                unit=wanted["unit"]) + ("#mer" if wanted["outcome"] == "more" else ""))
    event = _door_event(assignment, kind)
    result = _record(event, same_button=not request.form.get("id") and bool(request.form.get("page")))
    if kind == "angre":
        return _door_answer(assignment_id, event, "undone", gettext("Angret."))
    if event["outcome"] == Outcome.MAILBOXES:
        return _door_answer(assignment_id, event, result.status, gettext("Registrert: %(what)s",
                                                                         what=OUTCOME_LABELS[Outcome.MAILBOXES]),
                            anchor=f"#a-{event['address_id']}")
    return _door_answer(assignment_id, event, result.status, gettext("Registrert: %(what)s",
                                                                     what=OUTCOME_LABELS[Outcome(event["outcome"])]))


@bp.post("/<int:assignment_id>/angre")
@login_required
def undo(assignment_id: int):
    """Undo a record: a new event that cancels it, never an edit in place."""
    assignment = my_assignment(assignment_id)
    event = _door_event(assignment, "angre")
    _record(event)
    return _door_answer(assignment_id, event, "undone", gettext("Angret."))


def _door_event(assignment: Assignment, kind: str) -> dict:
    """The form's event, filed under the canvasser's own turf and action whatever the form says."""
    event = door_record.event_from(request.form, kind)
    try:
        Outcome(event.get("outcome"))
    except ValueError:
        _refuse(gettext("Ukjent resultat «%(value)s».", value=str(event.get("outcome"))[:40]))
    return {**event, "turf_id": assignment.turf_id, "action_id": assignment.action_id}


def _refuse(message: str):
    """A 400 with `message`: as JSON for the page's script, which shows it beside the door, else as a page."""
    if _wants_json():
        abort(make_response(jsonify({"error": message}), 400))
    abort(400, message)


def _translated(part: dict) -> dict:
    """A refused part of a record, its reason in the canvasser's language."""
    why = part["reason"]
    return {**part, "reason": gettext(why)}


def _door_json(event: dict, status: str, refused=None):
    return jsonify(door_record.answer(event, status, refused))


def _door_answer(assignment_id: int, event: dict, status: str, message: str, refused=None, anchor=None):
    """The recorded door's answer: data for the page's script, the walk list again without it.

    Takes the id, not the assignment, as the commit has expired the object and reading it would cost a query.
    """
    if _wants_json():
        return _door_json(event, status, refused)
    flash(message)
    return redirect(url_for("field.walk", assignment_id=assignment_id) + (anchor or _door_anchor(event)))


@bp.post("/<int:assignment_id>/notat")
@login_required
def note(assignment_id: int):
    """A note about the door for the next canvasser: door code, broken bell. Never about the people."""
    assignment = my_assignment(assignment_id)
    event = {**door_record.event_from(request.form, "notat"), "turf_id": assignment.turf_id}
    _record(event)
    flash(gettext("Notatet er lagret."))
    return redirect(url_for("field.walk", assignment_id=assignment_id) + f"#a-{event['address_id']}")


def _stop(assignment: Assignment, address_id) -> Address | None:
    """The address, if it is a stop of the canvasser's own turf: a page names no other."""
    return db.session.scalar(select(Address).join(TurfAddress, TurfAddress.address_id == Address.id).where(
        TurfAddress.turf_id == assignment.turf_id, Address.id == (address_id or 0)))


@bp.get("/<int:assignment_id>/mangler")
@login_required
def missing(assignment_id: int):
    """A door missing at a stop ("Dør mangler her"), or an address missing near it ("Adresse mangler")."""
    assignment = my_assignment(assignment_id)
    return _missing_page(assignment, _stop(assignment, request.args.get("address_id", type=int)))


def _missing_page(assignment: Assignment, address: Address | None, error: str = "", status: int = 200):
    # The page's id makes a double submit without script one record (door_record._added).
    return render_template("field/missing.html", assignment=assignment, address=address, error=error,
                           typed=request.form, page_id=uuid.uuid4(), maxima=sync), status


@bp.post("/<int:assignment_id>/dor")
@login_required
def add_door(assignment_id: int):
    """Store a door or address added in the field; it counts at once, and the coordinator confirms it."""
    assignment = my_assignment(assignment_id)
    event = {**door_record.event_from(request.form, "dor"), "turf_id": assignment.turf_id,
             "action_id": assignment.action_id}
    result = sync.ingest(current_user, [event])[0]
    if result.status not in ("stored", "duplicate"):
        reason = gettext(result.reason, **(result.params or {}))
        if _wants_json():
            return jsonify({"error": reason}), 400
        return _missing_page(assignment, _stop(assignment, event["address_id"]), reason, 400)
    added = db.session.scalar(select(FieldDoor).where(FieldDoor.client_uuid == str(uuid.UUID(event["id"]))))
    flash(gettext("Lagt til: %(label)s. Den teller med nå, og dørbankansvarlig ser over den.", label=added.label))
    return redirect(url_for("field.walk", assignment_id=assignment_id) + f"#d-{added.address_id}-{added.unit}")


@bp.route("/innspill", methods=["GET", "POST"])
@login_required
def stand_input():
    """Input not tied to a door: from a stand or a street talk, with the area only if the person gave it."""
    choices = [a.action for a in actions.my_assignments(current_user)]
    if request.method == "POST":
        _record(door_record.event_from(request.form, "innspill"))
        flash(gettext("Innspillet er lagret."))
        return redirect(url_for("field.stand_input"))
    topics = choices[0].topic_list if choices else Action.topics.default.arg.splitlines()
    return render_template("field/stand_input.html", choices=choices, topics=topics, importance=IMPORTANCE)


@bp.route("/<int:assignment_id>/samtale", methods=["GET", "POST"])
@login_required
def conversation(assignment_id: int):
    """One door's page: the conversation (topics, their own words, how much it matters, consented
    follow-up), the less common outcomes and a note about the door."""
    assignment = my_assignment(assignment_id)
    if mailboxes.is_leaflet(assignment.action):
        # No conversation form on a leaflet round: its walk list marks entrances.
        if request.method == "POST":
            abort(400, gettext(mailboxes.NOT_DOORS))
        return redirect(url_for("field.walk", assignment_id=assignment.id))
    if request.method == "POST":
        event = _door_event(assignment, "samtale")
        said = event["conversation"]
        said["topics"] = sync.known_topics(assignment.action, said["topics"])
        if not (said["topics"] or said["words"].strip() or said["importance"] or said.get("answers")
                or event.get("contact")):
            message = gettext("Samtalen er tom: velg et tema, skriv hva som ble sagt eller hvor mye det betyr.")
            if _wants_json():
                return jsonify({"error": message}), 400
            abort(400, message)
        result = _record(event)
        parts = [_translated(part) for part in result.refused_parts or []]
        refused = parts[0] if parts else None
        message = gettext("Samtalen er lagret.")
        for part in parts:
            if part["part"] == "contact":
                message = gettext("Samtalen er lagret, men ikke kontaktinformasjonen: %(why)s", why=part["reason"])
        message = " ".join([message] + [p["reason"] for p in parts if p["part"] != "contact"])
        if _wants_json():
            return _door_answer(assignment.id, event, result.status, message, refused)
        flash(message)
        return redirect(url_for("field.walk", assignment_id=assignment.id) + _door_anchor(event))
    # Named only if it is in the canvasser's own turf: the page says which door, and nothing about others.
    address = db.session.scalar(select(Address).join(TurfAddress, TurfAddress.address_id == Address.id).where(
        TurfAddress.turf_id == assignment.turf_id, Address.id == (request.args.get("address_id", type=int) or 0)))
    unit = request.args.get("unit", "")
    return render_template("field/conversation.html", assignment=assignment, action=assignment.action,
                           address_id=address.id if address else "", unit=unit, address=address, Outcome=Outcome,
                           labels=OUTCOME_LABELS, importance=IMPORTANCE, consent_text=gettext(consent.TEXT),
                           consent_version=consent.VERSION, yes_no=YES_NO_LABELS, first_door=_first_door(assignment))
