"""People in a branch, invitations (link and QR code) for new volunteers, and a volunteer's ways in:
a personal login link, logging out a lost phone, removing the volunteer from the branch."""
from datetime import timedelta

import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Device, Invite, LoginLink, Role, User
from canvass.services import logins, people
from canvass.web.access import branch_for_manager, roles_required

bp = Blueprint("people", __name__, url_prefix="/folk")


@bp.get("/")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def index():
    """Everyone the user may see: the whole organisation for an admin, the own branch for a coordinator."""
    query = select(User).where(User.organisation_id == current_user.organisation_id,
                               User.removed_at.is_(None)).order_by(User.name)
    if current_user.role == Role.COORDINATOR:
        query = query.where(User.branch_id == current_user.branch_id)
    users = db.session.scalars(query).all()
    volunteers = [u.id for u in users if u.role == Role.CANVASSER]
    branches = current_user.organisation.branches if current_user.role == Role.ADMIN else [current_user.branch]
    return render_template("people/index.html", users=users, branches=branches, Role=Role,
                           invites=people.active_invites([b.id for b in branches]),
                           devices=logins.active_devices(volunteers), links=logins.active_links(volunteers))


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


@bp.post("/<int:user_id>/innloggingslenke")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def login_link(user_id: int):
    """A personal one-time link and QR code that logs this volunteer in on the phone that opens it."""
    volunteer = _managed_volunteer(user_id)
    _, token = logins.issue_link(volunteer, current_user, timedelta(hours=current_app.config["LOGIN_LINK_HOURS"]))
    link = url_for("auth.login_link", token=token, _external=True)
    return render_template("people/login_link.html", volunteer=volunteer, link=link,
                           qr=segno.make(link, error="m").svg_inline(scale=6, title=link),
                           hours=current_app.config["LOGIN_LINK_HOURS"])


@bp.post("/innloggingslenke/<int:login_link_id>/trekk-tilbake")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def revoke_login_link(login_link_id: int):
    link = db.session.get(LoginLink, login_link_id)
    if link is None:
        abort(404)
    _managed_volunteer(link.user_id)
    logins.revoke_link(link)
    flash(gettext("Innloggingslenken er trukket tilbake."))
    return redirect(url_for("people.index"))


@bp.post("/telefon/<int:device_id>/logg-ut")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def revoke_device(device_id: int):
    """A lost phone: logged out, and its sync credential stops working; records already sent stay."""
    device = db.session.get(Device, device_id)
    if device is None:
        abort(404)
    _managed_volunteer(device.user_id)
    logins.revoke_device(device, current_user)
    flash(gettext("Telefonen er logget ut."))
    return redirect(url_for("people.index"))


@bp.post("/<int:user_id>/fjern")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def remove(user_id: int):
    volunteer = _managed_volunteer(user_id)
    logins.remove_volunteer(volunteer, current_user)
    flash(
        gettext(
            "%(name)s er fjernet fra laget og logget ut på alle telefoner. Dørene som er registrert, teller fortsatt.",
            name=volunteer.name,
        )
    )
    return redirect(url_for("people.index"))


def _managed_volunteer(user_id: int) -> User:
    """A volunteer of a branch the user manages (404 for anyone else's, 403 for another branch's)."""
    volunteer = db.session.get(User, user_id)
    if (
        volunteer is None
        or volunteer.organisation_id != current_user.organisation_id
        or volunteer.role != Role.CANVASSER
        or volunteer.removed_at is not None
        or volunteer.branch_id is None
    ):
        abort(404)
    branch_for_manager(volunteer.branch_id)
    return volunteer


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
