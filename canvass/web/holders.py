"""Standing turf holders (rodeansvarlige): the branch's list and map, choosing holders, the holder's own turf."""
import json

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from canvass.models import Role, Turf
from canvass.models.holder import ELECTED_BODIES, MAX_HOLDERS
from canvass.services.turf import held, holders, turfs
from canvass.typed import row_id
from canvass.web import flash_error
from canvass.web.access import branch_for_manager, roles_required
from canvass.web.refusals import answer
from canvass.web.turf import pdf_response, sheet_summary, turf_for_manager

bp = Blueprint("holders", __name__)
MANAGERS = (Role.ADMIN, Role.COORDINATOR)
BODY_LABELS = {"bystyret": _l("bystyret"), "bydelsutvalg": _l("bydelsutvalg"), "kommunestyre": _l("kommunestyre")}
# Okabe–Ito blue for held turf (the legend's .swatch.covered) and a light grey for the rest (.swatch.unheld).
HELD, UNHELD = "#0072b2", "#d9d9d9"


@bp.get("/lag/<int:branch_id>/rodeansvarlige")
@roles_required(*MANAGERS)
def index(branch_id: int):
    """Every turf of the branch with its standing holders, or "uten rodeansvarlig", on a map and in a list."""
    branch = branch_for_manager(branch_id)
    live = turfs.live_turfs(branch, 1)
    held = holders.by_turf([t.id for t in live])
    return render_template("holders/index.html", branch=branch, turfs=live, held=held, bodies=BODY_LABELS,
                           count=sum(1 for t in live if held.get(t.id)))


@bp.get("/lag/<int:branch_id>/rodeansvarlige.geojson")
@roles_required(*MANAGERS)
def map_data(branch_id: int):
    """The branch's turf, filled by whether it has a standing holder; names only, no phone numbers."""
    branch = branch_for_manager(branch_id)
    live = [t for t in turfs.live_turfs(branch, 1) if t.geometry]
    held = holders.by_turf([t.id for t in live])
    features = []
    for t in live:
        names = ", ".join(h.user.name for h in held.get(t.id, []))
        features.append({"type": "Feature", "geometry": json.loads(t.geometry), "properties": {
            "name": t.name, "held": bool(names), "fill": HELD if names else UNHELD,
            "label": f"{t.name}: {names or gettext('uten rodeansvarlig')}"}})
    return jsonify({"type": "FeatureCollection", "features": features})


def _holdable(turf_id: int) -> Turf:
    t = turf_for_manager(turf_id)
    if t.round != 1:
        abort(404)
    return t


def _edit_page(t: Turf, status: int = 200):
    current = holders.by_turf([t.id]).get(t.id, [])
    chosen = [(h.user_id, h.elected or "") for h in current] + [(None, "")] * (MAX_HOLDERS - len(current))
    return render_template("holders/edit.html", turf=t, chosen=chosen, people=holders.candidates(t.branch),
                           bodies=BODY_LABELS), status


@bp.get("/roder/<int:turf_id>/rodeansvarlig")
@roles_required(*MANAGERS)
def edit(turf_id: int):
    """Choose the turf's holder or pair, and whether each is an elected representative."""
    return _edit_page(_holdable(turf_id))


@bp.post("/roder/<int:turf_id>/rodeansvarlig")
@roles_required(*MANAGERS)
def save(turf_id: int):
    t = _holdable(turf_id)
    picks = []
    for k in range(1, MAX_HOLDERS + 1):
        user = request.form.get(f"user_{k}", "")
        body = request.form.get(f"elected_{k}", "")
        if not user:
            continue
        number = row_id(user)
        if not number or (body and body not in ELECTED_BODIES):
            abort(400)
        picks.append((number, body or None))
    try:
        now = holders.set_holders(t, picks)
    except held.TurfGone as err:
        return answer(err, url_for("holders.index", branch_id=t.branch_id))
    except holders.HolderError as err:
        flash_error(err)
        return _edit_page(t, 400)
    if now:
        flash(gettext("%(turf)s har rodeansvarlig %(names)s.", turf=t.name, names=", ".join(h.user.name for h in now)))
    else:
        flash(gettext("%(turf)s er uten rodeansvarlig.", turf=t.name))
    return redirect(url_for("holders.index", branch_id=t.branch_id) + f"#rode-{t.id}")


@bp.get("/mine/rodeansvar/<int:turf_id>/gaaliste.pdf")
@login_required
def my_sheet(turf_id: int):
    """The walk sheet of the turf the person holds: the same list a volunteer given the turf gets."""
    holding = holders.held_by(current_user)
    if holding is None or holding.turf_id != turf_id:
        abort(404)
    return pdf_response(holding.turf, [holding.turf.branch.name, sheet_summary(holding.turf)])
