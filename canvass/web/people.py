"""People in a branch, and invitations (link and QR code) for new volunteers."""
import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Invite, Role, User
from canvass.services import people
from canvass.web.access import branch_for_manager, roles_required

bp = Blueprint("people", __name__, url_prefix="/folk")


@bp.get("/")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def index():
    """Everyone the user may see: the whole organisation for an admin, the own branch for a coordinator."""
    query = select(User).where(User.organisation_id == current_user.organisation_id).order_by(User.name)
    if current_user.role == Role.COORDINATOR:
        query = query.where(User.branch_id == current_user.branch_id)
    branches = current_user.organisation.branches if current_user.role == Role.ADMIN else [current_user.branch]
    return render_template("people/index.html", users=db.session.scalars(query).all(), branches=branches,
                           invites=people.active_invites([b.id for b in branches]))


@bp.post("/invitasjon")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def invite():
    """Create an invite link with a QR code for volunteers of a branch."""
    branch = branch_for_manager(request.form.get("branch", type=int) or current_user.branch_id or 0)
    invite = people.create_invite(branch, current_user, current_app.config["INVITE_DAYS"])
    return render_template("people/invite.html", **_invite_view(invite))


@bp.get("/invitasjon/<int:invite_id>")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def show_invite(invite_id: int):
    """An existing invite, to show its QR code again at a meeting."""
    invite = _managed_invite(invite_id)
    return render_template("people/invite.html", **_invite_view(invite))


@bp.post("/invitasjon/<int:invite_id>/trekk-tilbake")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def revoke_invite(invite_id: int):
    people.revoke_invite(_managed_invite(invite_id))
    flash(gettext("Invitasjonen er trukket tilbake. Lenken og QR-koden virker ikke lenger."))
    return redirect(url_for("people.index"))


def _managed_invite(invite_id: int) -> Invite:
    """The invite, if it is for a branch the user manages (404 or 403 otherwise)."""
    invite = db.session.get(Invite, invite_id)
    if invite is None:
        abort(404)
    branch_for_manager(invite.branch_id)
    return invite


def _invite_view(invite: Invite) -> dict:
    link = url_for("auth.join", token=invite.token, _external=True)
    qr = segno.make(link, error="m").svg_inline(scale=6, title=link)
    return {"invite": invite, "link": link, "qr": qr}
