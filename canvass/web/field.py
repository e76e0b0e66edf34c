"""The canvasser's field app: the walk list of their turf, a door recorded in one tap, conversations.

Every form works without JavaScript; htmx swaps just the door that changed; offline, the service
worker answers the same posts from the phone's outbox (static/sw.js).
"""
import uuid
from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from canvass.extensions import db
from canvass.models import Action, Assignment, Outcome
from canvass.privacy import consent
from canvass.services import actions, field, sync

bp = Blueprint("field", __name__, url_prefix="/felt")
OUTCOME_LABELS = {
    Outcome.NOT_HOME: _l("Ikke hjemme"), Outcome.CONVERSATION: _l("Samtale"), Outcome.REFUSED: _l("Nei takk"),
    Outcome.OPENED: _l("Åpnet, ingen samtale"), Outcome.DO_NOT_KNOCK: _l("Ikke bank på igjen"),
    Outcome.INACCESSIBLE: _l("Ikke tilgang"), Outcome.LEAFLET: _l("Løpeseddel lagt igjen"),
}
IMPORTANCE = {1: _l("Litt"), 2: _l("Mye"), 3: _l("Svært mye")}


def my_assignment(assignment_id: int) -> Assignment:
    # With its action in the same query: every record names the action, and the check finds it loaded.
    assignment = db.session.get(Assignment, assignment_id, options=[joinedload(Assignment.action)])
    if assignment is None or assignment.user_id != current_user.id:
        abort(404)
    return assignment


def _stamp(form) -> dict:
    """Id and time of a record: set by the phone's script, or here for a phone without it."""
    return {"id": form.get("id") or str(uuid.uuid4()),
            "recorded_at": form.get("recorded_at") or datetime.now(UTC).isoformat()}


def _event(assignment: Assignment, form, outcome: Outcome, **extra) -> dict:
    """The visit event a door form asks for."""
    return {**_stamp(form), "type": "visit", "outcome": outcome.value, "turf_id": assignment.turf_id,
            "action_id": assignment.action_id, "address_id": form.get("address_id", type=int),
            "unit": form.get("unit", ""), **extra}


def _record(event: dict) -> None:
    result = sync.ingest(current_user, [event])[0]
    if result.status not in ("stored", "duplicate"):
        abort(400, gettext(result.reason, **(result.params or {})))


@bp.get("/<int:assignment_id>")
@login_required
def walk(assignment_id: int):
    """The walk list with a row of buttons for every door."""
    assignment = my_assignment(assignment_id)
    return render_template("field/walk.html", assignment=assignment, action=assignment.action, turf=assignment.turf,
                           stops=field.walk_list(assignment.turf), Outcome=Outcome,
                           # Translated once, not once per button: a long list has hundreds.
                           labels={outcome: str(label) for outcome, label in OUTCOME_LABELS.items()})


@bp.post("/<int:assignment_id>/besok")
@login_required
def record(assignment_id: int):
    """Record what happened at one door."""
    assignment = my_assignment(assignment_id)
    try:
        outcome = Outcome(request.form.get("outcome"))
    except ValueError:
        abort(400)
    if outcome == Outcome.CONVERSATION:
        return redirect(url_for("field.conversation", assignment_id=assignment.id,
                                address_id=request.form.get("address_id"), unit=request.form.get("unit")))
    event = _event(assignment, request.form, outcome)
    _record(event)
    return _door_answer(assignment_id, event, gettext("Registrert: %(what)s", what=OUTCOME_LABELS[outcome]))


@bp.post("/<int:assignment_id>/angre")
@login_required
def undo(assignment_id: int):
    """Undo a record: a new event that cancels it, never an edit in place."""
    assignment = my_assignment(assignment_id)
    try:
        outcome = Outcome(request.form.get("outcome"))
    except ValueError:
        abort(400)
    event = _event(assignment, request.form, outcome, corrects=request.form.get("corrects"))
    _record(event)
    return _door_answer(assignment_id, None, gettext("Angret."))


def _door_answer(assignment_id: int, event, message):
    """The recorded door's answer: a fragment for htmx, the walk list again without it.

    Takes the id, not the assignment, as the commit has expired the object and reading it would cost a query.
    """
    if request.headers.get("HX-Request"):
        return render_template("field/_recorded.html", assignment_id=assignment_id, event=event, message=message)
    flash(message)
    return redirect(url_for("field.walk", assignment_id=assignment_id) + f"#adresse-{request.form.get('address_id')}")


@bp.post("/<int:assignment_id>/notat")
@login_required
def note(assignment_id: int):
    """A note about the door for the next canvasser: door code, broken bell. Never about the people."""
    assignment = my_assignment(assignment_id)
    event = {**_stamp(request.form), "type": "note", "turf_id": assignment.turf_id,
             "address_id": request.form.get("address_id", type=int), "text": request.form.get("text", "")}
    _record(event)
    return _door_answer(assignment_id, None, gettext("Notatet er lagret."))


@bp.route("/innspill", methods=["GET", "POST"])
@login_required
def stand_input():
    """Input not tied to a door: from a stand or a street talk, with the area only if the person gave it."""
    choices = [a.action for a in actions.my_assignments(current_user)]
    if request.method == "POST":
        topics = [t.strip() for t in request.form.getlist("topic") if t.strip()]
        event = {**_stamp(request.form), "type": "input", "action_id": request.form.get("action_id", type=int),
                 "postnummer": request.form.get("postnummer", "").strip() or None,
                 "conversation": {"topics": topics, "words": request.form.get("words", ""),
                                  "importance": request.form.get("importance", type=int)}}
        _record(event)
        flash(gettext("Innspillet er lagret."))
        return redirect(url_for("field.stand_input"))
    topics = choices[0].topic_list if choices else Action.topics.default.arg.splitlines()
    return render_template("field/stand_input.html", choices=choices, topics=topics, importance=IMPORTANCE)


@bp.route("/<int:assignment_id>/samtale", methods=["GET", "POST"])
@login_required
def conversation(assignment_id: int):
    """The conversation at a door: topics, their own words, how much it matters, and consented follow-up."""
    assignment = my_assignment(assignment_id)
    values = request.form if request.method == "POST" else request.args
    if request.method == "POST":
        topics = [t for t in request.form.getlist("topic") if t in assignment.action.topic_list]
        wants = {"wants_membership": request.form.get("wants_membership") == "1",
                 "wants_contact": request.form.get("wants_contact") == "1"}
        extra = {"conversation": {"topics": topics, "words": request.form.get("words", ""),
                                  "importance": request.form.get("importance", type=int), **wants}}
        if request.form.get("consent") == consent.VERSION and any(wants.values()):
            extra["contact"] = {"consent": True, "consent_version": consent.VERSION,
                                "name": request.form.get("name", ""), "phone": request.form.get("phone", ""),
                                "email": request.form.get("email", "")}
        _record(_event(assignment, request.form, Outcome.CONVERSATION, **extra))
        flash(gettext("Samtalen er lagret."))
        return redirect(url_for("field.walk", assignment_id=assignment.id) + f"#adresse-{values.get('address_id')}")
    return render_template("field/conversation.html", assignment=assignment, action=assignment.action,
                           address_id=values.get("address_id", ""), unit=values.get("unit", ""),
                           importance=IMPORTANCE, consent_text=gettext(consent.TEXT), consent_version=consent.VERSION)
