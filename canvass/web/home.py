"""The start page: what each of the person's roles lets them do next, all on one page."""
from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from canvass.models import Role
from canvass.services.committee import committees
from canvass.services.turf import actions, holders
from canvass.typed import row_id
from canvass.web.actions import KIND_LABELS
from canvass.web.holders import BODY_LABELS

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    """The start page for the logged-in person, or the login page."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.roles() == {Role.ADMIN}:
        # An admin and nothing else starts where an admin works.
        return redirect(url_for("branches.overview"))
    chosen = committees.committee_for(current_user) if current_user.committee_scopes() else None
    return render_template("home/index.html", assignments=actions.my_assignments(current_user),
                           signups=actions.waiting_signups(current_user),
                           coordinated=current_user.branches(Role.COORDINATOR),
                           canvassing=current_user.branches(Role.CANVASSER),
                           committees=committees.committees_for(current_user) if chosen else [], chosen=chosen,
                           holding=holders.held_by(current_user), kinds=KIND_LABELS, bodies=BODY_LABELS)


@bp.post("/komite")
@login_required
def choose_committee():
    """Someone on several committees (their branch's and the county's) picks the one to read for."""
    scope = request.form.get("committee", "")
    branch_id = row_id(scope)
    if scope not in ("", str(branch_id)) or branch_id not in current_user.committee_scopes():
        abort(403)
    session["committee_scope"] = branch_id
    return redirect(url_for("committee.dashboard"), 303)
