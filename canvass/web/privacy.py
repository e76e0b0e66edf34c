"""Personal data in the open: the follow-up list, requests from the people it is about, and the audit log.

Every view of contact details, every export and every deletion is written to the audit log in the
same transaction, by canvass/privacy/handover.py. Phone numbers and e-mail addresses for a request
travel in POST bodies, never in a URL, so they do not end up in a server's access log.
"""
import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from canvass.extensions import db
from canvass.insight import export
from canvass.models import AuditEntry, Role
from canvass.privacy import audit, consent, handover, subject
from canvass.web.access import roles_required

bp = Blueprint("privacy", __name__, url_prefix="/personvern")
AUDIT_PAGE = 200


def _viewer() -> handover.Viewer:
    return handover.Viewer(current_user)


@bp.get("/kontakter")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def contacts():
    """Residents who asked to become members or to be contacted, with what they agreed to and until when."""
    return render_template("privacy/contacts.html", contacts=handover.follow_up_list(_viewer()),
                           purposes=consent.PURPOSE_NAMES)


@bp.get("/kontakter.xlsx")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def contacts_export():
    rows = handover.export_contacts(_viewer())
    sheet = export.Sheet(gettext("Kontakter"), [gettext("Navn"), gettext("Mobilnummer"), gettext("E-post"),
                                                gettext("Lag"), gettext("Ønsker"), gettext("Slettes")],
                         [[c.name, c.phone, c.email, c.branch.name if c.branch else "",
                           ", ".join(str(consent.PURPOSE_NAMES[p]) for p in c.purposes),
                           min((r.delete_after.date() for r in c.consents), default=None)] for c in rows])
    return Response(export.to_xlsx([sheet]), mimetype=export.XLSX,
                    headers={"Content-Disposition": "attachment; filename=kontakter.xlsx"})


@bp.post("/kontakter/<random:contact_id>/fulgt-opp")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def followed_up(contact_id: int):
    if not handover.mark_followed_up(_viewer(), contact_id):
        abort(404)
    flash(gettext("Markert som fulgt opp."))
    return redirect(url_for("privacy.contacts"))


@bp.post("/kontakter/<random:contact_id>/slett")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def delete_contact(contact_id: int):
    """The resident withdrew their consent, or the branch is done with them: the details go now."""
    if not handover.delete_contact(_viewer(), contact_id):
        abort(404)
    flash(gettext("Kontakten er slettet."))
    return redirect(url_for("privacy.contacts"))


def _request_query() -> subject.Query:
    return subject.Query.of(request.form.get("phone"), request.form.get("email"), request.form.get("name"))


def _refusal(refused: subject.Refused) -> str:
    return gettext(refused.message, **refused.params)


@bp.route("/innsyn", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def subject_request():
    """Find everything stored about the one person a phone number, e-mail address or full name names,
    to hand it over or erase it. Anything naming nobody in particular is refused with the reason."""
    found, status = None, 200
    if request.method == "POST":
        try:
            found = handover.search(current_user, _request_query())
        except subject.Refused as refused:
            flash(_refusal(refused), "error")
            status = 400
    return render_template("privacy/subject.html", found=found, form=request.form,
                           purposes=consent.PURPOSE_NAMES), status


@bp.post("/innsyn/eksport")
@roles_required(Role.ADMIN)
def subject_export():
    try:
        exported = handover.export_subject(current_user, current_user.organisation_id, _request_query())
    except subject.Refused as refused:
        abort(400, _refusal(refused))
    return Response(json.dumps(exported, ensure_ascii=False, indent=2), mimetype="application/json",
                    headers={"Content-Disposition": "attachment; filename=innsyn.json"})


@bp.post("/innsyn/slett")
@roles_required(Role.ADMIN)
def subject_erase():
    query = _request_query()
    if query.empty:
        abort(400, gettext(subject.NOBODY))
    if request.form.get("confirm") != "1":
        flash(gettext("Bekreft først hvem som spør."), "error")
        return redirect(url_for("privacy.subject_request"))
    try:
        found = handover.find(current_user, current_user.organisation_id, query, audit.ERASE)
    except subject.Refused as refused:
        abort(400, _refusal(refused))
    erased = handover.erase_subject(current_user, found, current_user.organisation_id)
    flash(gettext("Slettet %(contacts)s kontakter, anonymiserte %(accounts)s brukere og maskerte %(inputs)s "
                  "innspill.", contacts=erased.contacts, accounts=erased.accounts, inputs=erased.conversations))
    return redirect(url_for("privacy.subject_request"))


@bp.get("/logg")
@roles_required(Role.ADMIN)
def audit_log():
    """Who viewed, exported or deleted personal data, newest first; the nightly purge included.

    An entry's subject is a log line in bokmål, kept as written, like any log."""
    entries = db.session.scalars(select(AuditEntry).where(
        (AuditEntry.organisation_id == current_user.organisation_id) | AuditEntry.organisation_id.is_(None))
        .order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE)).all()
    return render_template("privacy/log.html", entries=entries)
