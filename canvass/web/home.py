"""The start page: what each role can do next."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from canvass.models import Role
from canvass.services import actions, holders
from canvass.web.actions import KIND_LABELS
from canvass.web.holders import BODY_LABELS

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    """The start page for the logged-in role, or the login page."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.role == Role.ADMIN:
        return redirect(url_for("branches.overview"))
    return render_template("home/index.html", Role=Role, assignments=actions.my_assignments(current_user),
                           signups=actions.waiting_signups(current_user), holding=holders.held_by(current_user),
                           kinds=KIND_LABELS, bodies=BODY_LABELS)
