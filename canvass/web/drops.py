"""Leaflet drops (løpeseddelutdeling) for the county or a branch: start one, see who got which turf, export the list,
and follow the households reached per turf, branch and city, live, on a map and in a table."""
import json
from datetime import datetime, time

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, to_utc
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length

from canvass.extensions import db
from canvass.insight import charts, export
from canvass.models import Branch, LeafletDrop, Role
from canvass.services.field import mailboxes
from canvass.services.turf import drops, packing
from canvass.web import flash_error
from canvass.web.access import branch_for_manager, roles_required
from canvass.web.actions import action_for_manager

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
    whole = mailboxes.Households()
    for p in parts:
        whole.add(p.reached)
    return render_template("drops/show.html", drop=drop, parts=parts, reached=whole,
                           unassigned=sum(len(p.unassigned) for p in parts))


def _coverage_page(title: str, scope: str, acts, data_url: str, back: str):
    parts, whole = mailboxes.of_actions(acts)
    page = render_template("drops/coverage.html", title=title, scope=scope, parts=parts, whole=whole,
                           data_url=data_url, back=back)
    return page, {"Cache-Control": "no-store"}


def _coverage_map(acts):
    """The turf coloured by the share of its households reached (five steps of blue, as the action's map)."""
    parts, _ = mailboxes.of_actions(acts)
    features = [
        {"type": "Feature", "geometry": json.loads(t.geometry), "properties": {
            "name": t.name, "coverage": round(r.share, 3), "fill": charts.BLUES[min(int(r.share * 5), 4)],
            "label": gettext("%(turf)s: %(reached)s av %(households)s husstander", turf=t.name, reached=r.reached,
                             households=r.households)}}
        for p in parts for t, r in p.turfs if t.geometry]
    response = jsonify({"type": "FeatureCollection", "features": features})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/utdelinger/<int:drop_id>/dekning")
@roles_required(*MANAGERS)
def coverage(drop_id: int):
    """Households reached out of households there, per turf, per branch and for the whole drop (the city, for the
    county's), on a map and in a table that follows the drop live."""
    drop = drop_for_manager(drop_id)
    scope = drop.branch.name if drop.branch else current_user.organisation.name
    return _coverage_page(drop.title, scope, [p.action for p in drop.parts],
                          url_for("drops.coverage_map", drop_id=drop.id), url_for("drops.show", drop_id=drop.id))


@bp.get("/utdelinger/<int:drop_id>/dekning.geojson")
@roles_required(*MANAGERS)
def coverage_map(drop_id: int):
    drop = drop_for_manager(drop_id)
    return _coverage_map([p.action for p in drop.parts])


@bp.get("/aksjoner/<int:action_id>/dekning")
@roles_required(*MANAGERS)
def action_coverage(action_id: int):
    """One action's households reached, per turf and for its branch."""
    action = action_for_manager(action_id)
    return _coverage_page(action.title, action.branch.name, [action],
                          url_for("drops.action_coverage_map", action_id=action.id),
                          url_for("actions.show", action_id=action.id))


@bp.get("/aksjoner/<int:action_id>/dekning.geojson")
@roles_required(*MANAGERS)
def action_coverage_map(action_id: int):
    return _coverage_map([action_for_manager(action_id)])


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
