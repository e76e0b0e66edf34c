"""People in a branch, invitations (link and QR code) for new volunteers, and a volunteer's ways in:
a personal login link, logging out a lost phone, removing the volunteer from the branch; a volunteer's
phone and e-mail, each look written to the audit log; an admin gives and takes roles."""
from datetime import timedelta

import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from htmx_flask import request
from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Branch, Device, Invite, LoginLink, Membership, Role, User
from canvass.privacy import audit
from canvass.services.people import logins, people
from canvass.web.access import branch_for_manager, roles_required
from canvass.web.refusals import refused_to

bp = Blueprint("people", __name__, url_prefix="/folk")
ROLE_LABELS = {Role.ADMIN: _l("Administrator"), Role.COORDINATOR: _l("Koordinator"),
               Role.COMMITTEE: _l("Programkomité"), Role.CANVASSER: _l("Dørbanker")}


@bp.get("/")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def index():
    """Everyone the user may see: the whole organisation for an admin, the own branches' people for a
    coordinator, each with the roles the viewer may see."""
    query = select(User).where(User.organisation_id == current_user.organisation_id,
                               User.removed_at.is_(None)).order_by(User.name)
    managed = current_user.managed_branch_ids()
    if managed is not None:
        query = query.where(User.memberships.any(Membership.branch_id.in_(sorted(managed))))
    users = db.session.scalars(query).all()
    shown = {u.id: sorted((m for m in u.memberships if managed is None or m.branch_id in managed),
                          key=lambda m: m.sort_key) for u in users}
    volunteers = {u.id for u in users if _volunteer_branches(u)}
    # Volunteers who hold other roles too: taking them out of the branch leaves those (remove below).
    keeps_roles = {u.id for u in users if u.id in volunteers and len(u.memberships) > len(_volunteer_branches(u))}
    branches = current_user.organisation.branches if managed is None else current_user.branches(Role.COORDINATOR)
    return render_template("people/index.html", users=users, shown=shown, branches=branches,
                           volunteers=volunteers, keeps_roles=keeps_roles, role_labels=ROLE_LABELS,
                           roles=list(ROLE_LABELS),
                           invites=people.active_invites([b.id for b in branches]),
                           devices=logins.active_devices(list(volunteers)), links=logins.active_links(list(volunteers)))


@bp.post("/invitasjon")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def invite():
    """Create an invite link with a QR code for volunteers of a branch."""
    coordinated = current_user.branches(Role.COORDINATOR)
    branch = branch_for_manager(request.form.get("branch", type=int) or (coordinated[0].id if coordinated else 0))
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
    if volunteer.needs_password():
        # A link would step around the password and the second factor their other roles ask for.
        abort(404)
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
@refused_to(lambda user_id: url_for("people.index"))
def remove(user_id: int):
    """Take a volunteer out of the branch (`branch`, or every branch the user manages where they knock doors).
    Their other roles stay; with none left they are logged out everywhere and gone from the list."""
    volunteer = _managed_volunteer(user_id)
    wanted = request.form.get("branch", type=int)
    branches = {b for b in _volunteer_branches(volunteer) if wanted is None or b == wanted}
    if not branches:
        abort(404)
    gone = people.remove_roles(volunteer, [m for m in volunteer.memberships
                                           if m.role == Role.CANVASSER and m.branch_id in branches], current_user)
    if gone:
        flash(gettext("%(name)s er fjernet fra laget og logget ut på alle telefoner. Dørene som er registrert, "
                      "teller fortsatt.", name=volunteer.name))
    else:
        flash(gettext("%(name)s er tatt ut som dørbanker i %(branches)s. De andre rollene består.",
                      name=volunteer.name,
                      branches=", ".join(db.session.get(Branch, b).name for b in sorted(branches))))
    return redirect(url_for("people.index"))


@bp.get("/<int:user_id>/kontakt")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def contact(user_id: int):
    """A volunteer's phone number and e-mail, to call them before an action; every look is in the audit log."""
    volunteer = _managed_volunteer(user_id)
    audit.log(current_user, audit.VIEW, f"telefon og e-post til bruker {volunteer.id}", 1)
    db.session.commit()
    template = "people/_contact.html" if request.htmx else "people/contact.html"
    return render_template(template, volunteer=volunteer), {"Cache-Control": "no-store", "Vary": "HX-Request"}


@bp.post("/<int:user_id>/roller")
@roles_required(Role.ADMIN)
@refused_to(lambda user_id: url_for("people.index") + f"#person-{user_id}", 303)
def add_role(user_id: int):
    """An admin gives a person one more role: in a branch, or the organisation's (admin, county committee)."""
    person = _person(user_id)
    try:
        role = Role(request.form.get("role", ""))
    except ValueError:
        abort(400)
    branch = None
    if request.form.get("branch"):
        branch = branch_for_manager(request.form.get("branch", type=int) or 0)
    token = people.add_role(person, role, branch, current_user,
                            timedelta(hours=current_app.config["PASSWORD_LINK_HOURS"]), request.form.get("email"))
    where = branch.name if branch is not None and role != Role.ADMIN else current_user.organisation.name
    flash(gettext("%(name)s har nå også rollen %(role)s i %(where)s.", name=person.name, role=ROLE_LABELS[role],
                  where=where))
    if token:
        link = url_for("auth.set_password", token=token, _external=True)
        return render_template("people/password_link.html", person=person, link=link,
                               hours=current_app.config["PASSWORD_LINK_HOURS"])
    return redirect(url_for("people.index") + f"#person-{person.id}", 303)


def _holder_of(membership_id: int) -> int:
    return db.session.get(Membership, membership_id).user_id


@bp.post("/roller/<int:membership_id>/fjern")
@roles_required(Role.ADMIN)
@refused_to(lambda membership_id: url_for("people.index") + f"#person-{_holder_of(membership_id)}", 303)
def remove_role(membership_id: int):
    """An admin takes one role away; the person keeps the others, and with none left is removed."""
    membership = db.session.get(Membership, membership_id)
    if membership is None:
        abort(404)
    person = _person(membership.user_id)
    role = ROLE_LABELS[membership.role]
    where = membership.branch.name if membership.branch else person.organisation.name
    gone = people.remove_roles(person, [membership], current_user)
    if gone:
        flash(gettext("%(name)s hadde ingen andre roller og er fjernet og logget ut på alle telefoner.",
                      name=person.name))
        return redirect(url_for("people.index"), 303)
    flash(gettext("%(name)s har ikke lenger rollen %(role)s i %(where)s.", name=person.name, role=role, where=where))
    return redirect(url_for("people.index") + f"#person-{person.id}", 303)


def _person(user_id: int) -> User:
    """Someone of the admin's organisation who has not been removed (404 otherwise)."""
    person = db.session.get(User, user_id)
    if person is None or person.organisation_id != current_user.organisation_id or person.removed_at is not None:
        abort(404)
    return person


def _volunteer_branches(person: User) -> set[int]:
    """The branches the current user manages where `person` knocks doors."""
    managed = current_user.managed_branch_ids()
    return {b for b in person.branch_ids(Role.CANVASSER) if managed is None or b in managed}


def _managed_volunteer(user_id: int) -> User:
    """A volunteer (canvasser) of a branch the user manages (404 for anyone else's, 403 for another branch's)."""
    volunteer = db.session.get(User, user_id)
    if (
        volunteer is None
        or volunteer.organisation_id != current_user.organisation_id
        or volunteer.removed_at is not None
        or not volunteer.branch_ids(Role.CANVASSER)
    ):
        abort(404)
    if not _volunteer_branches(volunteer):
        abort(403)
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
