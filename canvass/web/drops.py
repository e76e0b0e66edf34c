"""Leaflet drops (løpeseddelutdeling) for the county or a branch: start one, see who got which turf, export the list."""
from datetime import datetime, time

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, to_utc
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length

from canvass.extensions import db
from canvass.insight import export
from canvass.models import Branch, LeafletDrop, Role
from canvass.services import drops, packing, progress
from canvass.web import flash_error
from canvass.web.access import branch_for_manager, roles_required

bp = Blueprint("drops", __name__)
MANAGERS = (Role.ADMIN, Role.COORDINATOR)


class DropForm(FlaskForm):
    title = StringField(_l("Navn på utdelingen"), validators=[DataRequired(_l("Skriv et navn.")), Length(max=120)])
    starts_on = DateField(_l("Fra"), validators=[DataRequired(_l("Velg en dato."))])
    ends_on = DateField(_l("Til"), validators=[DataRequired(_l("Velg en dato."))])


@bp.app_context_processor
def county_link():
    """Whether to offer the county's drops: for someone who may manage every branch of the organisation."""
    return {"manages_county": lambda: current_user.is_authenticated and drops.manages_county(current_user)}


def _county() -> None:
    if not drops.manages_county(current_user):
        abort(403)


def _page(branch: Branch | None, form: DropForm, status: int = 200):
    shown = [d for d in drops.visible(current_user) if branch is None or d.branch_id == branch.id]
    return render_template("drops/index.html", branch=branch, drops=shown, form=form,
                           districts=drops.districts(current_user.organisation, branch),
                           chosen=set(request.form.getlist("district"))), status


def _start(branch: Branch | None):
    form = DropForm()
    if not form.validate_on_submit():
        return _page(branch, form, 400)
    try:
        drop = drops.start(current_user.organisation, branch, form.title.data, form.starts_on.data,
                           form.ends_on.data, to_utc(datetime.combine(form.starts_on.data, time())),
                           request.form.getlist("district"), current_user)
    except drops.DropError as err:
        flash_error(err)
        return _page(branch, form, 400)
    flash(gettext("Utdelingen %(title)s er startet.", title=drop.title))
    return redirect(url_for("drops.show", drop_id=drop.id))


@bp.get("/lag/<int:branch_id>/utdelinger")
@roles_required(*MANAGERS)
def index(branch_id: int):
    """The branch's leaflet drops, and the form that starts one over its turf."""
    return _page(branch_for_manager(branch_id), DropForm())


@bp.post("/lag/<int:branch_id>/utdelinger")
@roles_required(*MANAGERS)
def start(branch_id: int):
    return _start(branch_for_manager(branch_id))


@bp.get("/utdelinger")
@roles_required(*MANAGERS)
def county():
    """The county's leaflet drops, over every branch's turf."""
    _county()
    return _page(None, DropForm())


@bp.post("/utdelinger")
@roles_required(*MANAGERS)
def start_county():
    _county()
    return _start(None)


def drop_for_manager(drop_id: int) -> LeafletDrop:
    drop = db.session.get(LeafletDrop, drop_id)
    if drop is None or drop.organisation_id != current_user.organisation_id:
        abort(404)
    if not drops.may_open(current_user, drop):
        abort(403)
    return drop


@bp.get("/utdelinger/<int:drop_id>")
@roles_required(*MANAGERS)
def show(drop_id: int):
    """Per branch: the turf given to its holders and the turf still to assign, with a link to assign it."""
    drop = drop_for_manager(drop_id)
    parts = drops.parts(drop)
    return render_template("drops/show.html", drop=drop, parts=parts,
                           reached=progress.total([p.reached for p in parts]),
                           unassigned=sum(len(p.unassigned) for p in parts))


@bp.get("/utdelinger/<int:drop_id>.csv")
@roles_required(*MANAGERS)
def export_csv(drop_id: int):
    """Name, phone, e-mail, branch, turf and households of everyone with turf in the drop; the export is logged."""
    drop = drop_for_manager(drop_id)
    sheet = export.Sheet(gettext("Utdeling"), [gettext("Navn"), gettext("Mobilnummer"), gettext("E-post"),
                                               gettext("Lag"), gettext("Rode"), gettext("Husstander")],
                         drops.task_list(drop, current_user))
    return Response(export.to_csv(sheet), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=utdeling-{drop.id}.csv",
                             "Cache-Control": "no-store"})


@bp.get("/utdelinger/<int:drop_id>/pakkeliste.pdf")
@roles_required(*MANAGERS)
def packing_list(drop_id: int):
    """Leaflets to pack per turf, with its holders and streets, and the totals for the print order."""
    drop = drop_for_manager(drop_id)
    return Response(packing.render(drop, packing.lists(drops.parts(drop))), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="pakkeliste-{drop.id}.pdf"'})
