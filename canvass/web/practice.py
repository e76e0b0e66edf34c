"""The practice round (Øvingsrunde): a three-screen guide and a walk list on real addresses of the volunteer's
own branch, where nothing recorded is ever stored on the server (why: canvass/services/field/practice.py).

The walk list is the real one's markup and script (static/js/walk.js); static/js/practice.js keeps the
taps in the tab instead of posting them. Without script the forms post here, to routes that store no
record anywhere but the signed session cookie, so the page can show what was practised.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user

from canvass.models import Outcome, Role
from canvass.privacy import consent
from canvass.services.field import door_record, practice, sync
from canvass.web.access import roles_required
from canvass.web.field import IMPORTANCE, OUTCOME_LABELS

bp = Blueprint("practice", __name__, url_prefix="/felt/ovelse")
# Everyone who knocks doors for a branch; an admin or a committee member has no branch's doors to practise on.
PRACTISING = (Role.CANVASSER, Role.COORDINATOR)
KEY = "practice"
BRANCH_KEY = "practice_branch"


def _branches() -> list:
    return current_user.branches(*PRACTISING)


def _branch():
    """The branch whose addresses the volunteer practises on: one of their own, and only theirs. Someone who
    knocks doors for several branches chooses one (?lag=, kept in the session); until then, the first by name."""
    mine = {b.id: b for b in _branches()}
    if not mine:
        abort(404)
    chosen = request.args.get("lag", type=int)
    if chosen in mine:
        session[BRANCH_KEY] = chosen
    else:
        chosen = session.get(BRANCH_KEY)
    return mine.get(chosen) or next(iter(mine.values()))


def _branch_id() -> int:
    return _branch().id


def _done() -> dict[str, str]:
    kept = session.get(KEY)
    return kept if isinstance(kept, dict) else {}


def _door_or_400(address_id: int | None, unit: str) -> None:
    """A practice form names one of the volunteer's own practice doors, or nothing happens."""
    if not practice.has_door(_branch_id(), address_id, unit):
        abort(400, gettext("Denne døra er ikke med i øvingsrunden din."))


@bp.get("")
@roles_required(*PRACTISING)
def guide():
    """Three screens before the first door: recording, consent, and what happens without signal."""
    return render_template("field/practice_guide.html", consent_text=gettext(consent.TEXT), branch=_branch(),
                           branches=_branches())


@bp.get("/runde")
@roles_required(*PRACTISING)
def walk():
    """The practice walk list, marked as such, on the first few addresses of the volunteer's branch."""
    branch = _branch()
    stops = practice.walk_list(branch.id, _done())
    return render_template("field/practice.html", branch=branch, stops=stops, tally=practice.tally(stops),
                           Outcome=Outcome, labels={outcome: str(label) for outcome, label in OUTCOME_LABELS.items()})


@bp.post("/runde")
@roles_required(*PRACTISING)
def record():
    """A practice tap without script: remembered in the session cookie only, never as a record."""
    undo = bool(request.form.get("undo"))
    event = door_record.event_from(request.form, "angre" if undo else "besok")
    _door_or_400(event["address_id"], event["unit"])
    if not undo and event["outcome"] in ("conversation", "more"):
        return redirect(url_for("practice.conversation", address_id=event["address_id"], unit=event["unit"])
                        + ("#mer" if event["outcome"] == "more" else ""))
    try:
        outcome = Outcome(event["outcome"])
    except ValueError:
        abort(400)
    session[KEY] = practice.practise(_done(), event["address_id"], event["unit"], None if undo else outcome.value)
    flash(gettext("Øving: angret. Ingenting er lagret.") if undo
          else gettext("Øving: %(what)s. Ingenting er lagret.", what=OUTCOME_LABELS[outcome]))
    return redirect(url_for("practice.walk") + f"#d-{event['address_id']}-{event['unit']}")


@bp.route("/samtale", methods=["GET", "POST"])
@roles_required(*PRACTISING)
def conversation():
    """A practice conversation: the real form, checked as the real one is, and stored nowhere."""
    if request.method == "POST":
        event = door_record.event_from(request.form, "samtale")
        _door_or_400(event["address_id"], event["unit"])
        said = event["conversation"]
        if not (said["topics"] or said["words"].strip() or said["importance"] or event.get("contact")):
            abort(400, gettext("Samtalen er tom: velg et tema, skriv hva som ble sagt eller hvor mye det betyr."))
        # The same rule the real conversation's contact part meets at sync, so the practice teaches it.
        why = sync.contact_refusal(event.get("contact"), said)
        session[KEY] = practice.practise(_done(), event["address_id"], event["unit"], Outcome.CONVERSATION.value)
        message = gettext("Øving: samtalen er registrert. Ingenting er lagret.")
        if why:
            message += " " + gettext("Kontaktinformasjonen ville ikke blitt lagret: %(why)s", why=gettext(why))
        flash(message)
        return redirect(url_for("practice.walk") + f"#d-{event['address_id']}-{event['unit']}")
    address_id, unit = request.args.get("address_id", type=int), request.args.get("unit", "")
    # Named only when it is one of the volunteer's own practice doors.
    stop = next((s for s in practice.walk_list(_branch_id(), {}) if s.address_id == address_id), None)
    return render_template("field/practice_conversation.html", address_id=stop.address_id if stop else "",
                           label=stop.label if stop else "", unit=unit, topics=practice.TOPICS,
                           importance=IMPORTANCE, labels=OUTCOME_LABELS, Outcome=Outcome,
                           consent_text=gettext(consent.TEXT), consent_version=consent.VERSION)
