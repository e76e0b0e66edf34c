"""Turf (roder) for coordinators: cut from postal codes, look at, merge, split, rename and redraw."""
import json
import re

import shapely
from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_decimal, gettext, ngettext
from flask_login import current_user
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.formatting import format_km
from canvass.geo import geometry, walk
from canvass.geo import turf as geo_turf
from canvass.models import Address, FieldDoor, Role, Turf
from canvass.refusal import N_
from canvass.services.field import field, walk_sheet
from canvass.services.geography import territory
from canvass.services.turf import held, turfs
from canvass.typed import row_ids
from canvass.web import tiles
from canvass.web.access import branch_for_manager, roles_required
from canvass.web.refusals import answer, refused_to

bp = Blueprint("turf", __name__)
MANAGERS = (Role.ADMIN, Role.COORDINATOR)
GONE_SEEN = N_("%(turf)s er delt, slått sammen eller arkivert. Her er rodene slik de er nå.")


def turf_for_manager(turf_id: int) -> Turf:
    t = db.session.get(Turf, turf_id)
    if t is None or t.organisation_id != current_user.organisation_id:
        abort(404)
    branch_for_manager(t.branch_id)
    if t.archived_at is not None:
        # Split, merged or archived since the page was opened (the second tap of a double tap, Back, another
        # coordinator, an old link): say so, and show the branch's turf as it is now. The map's own request for the
        # outline is only told it is not there: the page it was made from says the rest.
        if request.endpoint == "turf.shape":
            abort(404)
        said = held.GONE if request.method == "POST" else GONE_SEEN
        abort(answer(held.TurfGone(said, turf=t.name), url_for("turf.index", branch_id=t.branch_id)))
    return t


def page_of(turf_id: int) -> str:
    """Where a refused change to a turf goes back to: the turf, or its branch's turf if it has left the map."""
    t = db.session.get(Turf, turf_id)
    if t is not None and t.archived_at is not None:
        return url_for("turf.index", branch_id=t.branch_id)
    return url_for("turf.show", turf_id=turf_id)


@bp.get("/lag/<int:branch_id>/roder")
@roles_required(*MANAGERS)
def index(branch_id: int):
    """The branch's turf on a map and in a list, and the form that cuts new turf."""
    branch = branch_for_manager(branch_id)
    areas = [a for a in territory.postal_areas(branch.organisation) if a.postnummer in branch.territory]
    counts = dict(db.session.execute(select(Address.postnummer, func.count()).where(
        Address.postnummer.in_(branch.territory)).group_by(Address.postnummer)).all())
    live = turfs.live_turfs(branch)
    fresh = _fresh(request.args.get("ny", ""))
    return render_template("turf/index.html", branch=branch, areas=areas, counts=counts, turfs=live,
                           default_target=turfs.DEFAULT_TARGET, fresh=fresh,
                           focus=_bounds([t for t in live if _is_fresh(t, fresh)]),
                           door_seconds=geo_turf.DOOR_SECONDS,
                           pace=format_decimal(geo_turf.WALK_METRES_PER_MINUTE * 60 / 1000, "0.#"))


def _fresh(text: str) -> tuple[int, int] | None:
    """The ids of the turf just cut, as "first-last" in the address (a whole district is a thousand turfs)."""
    found = re.fullmatch(r"(\d{1,12})-(\d{1,12})", text)
    return (int(found[1]), int(found[2])) if found else None


def _is_fresh(t: Turf, fresh: tuple[int, int] | None) -> bool:
    return fresh is not None and fresh[0] <= t.id <= fresh[1]


def _bounds(shown: list[Turf]) -> str | None:
    """South-west and north-east corners ([[lat, lon], [lat, lon]]) around the turf, for the map to zoom to."""
    shapes = [geometry.from_geojson(t.geometry) for t in shown if t.geometry]
    if not shapes:
        return None
    west, south, east, north = shapely.union_all(shapes).bounds
    return json.dumps([[south, west], [north, east]])


@bp.post("/lag/<int:branch_id>/roder")
@roles_required(*MANAGERS)
@refused_to(lambda branch_id: url_for("turf.index", branch_id=branch_id))
def cut(branch_id: int):
    """Cut the ticked postal codes into turf of the chosen size."""
    branch = branch_for_manager(branch_id)
    target = request.form.get("target", type=int) or 0
    style = request.form.get("style", walk.ONE_SIDE_THEN_OTHER)
    codes = request.form.getlist("postnummer")
    created = turfs.cut_turfs(branch, codes, target, style)
    flash(cut_summary(created))
    flash_lost_holders(created.lost)
    for holder, by_code in turfs.left_out(branch, codes).items():
        flash(ngettext("%(num)s adresse i %(codes)s ligger i roder som %(branch)s har, og ble ikke tatt med.",
                       "%(num)s adresser i %(codes)s ligger i roder som %(branch)s har, og ble ikke tatt med.",
                       sum(by_code.values()), codes=", ".join(by_code), branch=holder))
    # The page zooms to the new turf; its ids came from one transaction, so they run first to last.
    ids = [t.id for t in created]
    return redirect(url_for("turf.index", branch_id=branch.id, ny=f"{min(ids)}-{max(ids)}"))


def flash_lost_holders(names: list[str]) -> None:
    """Say whose standing turf did not carry over, so the coordinator chooses again."""
    if names:
        flash(gettext("Rodeansvarlige uten rode etter endringen: %(names)s. Velg rodeansvarlige på nytt.",
                      names=", ".join(names)))


def cut_summary(created: list[Turf]) -> str:
    """What the cut made, as it is: the cutter balances walking time too, so the door counts spread around
    the target; the times are the cutter's own estimate (geo/turf.py), to the nearest five minutes."""
    def span(values: list[int]) -> str:
        return format_decimal(min(values)) if min(values) == max(values) else \
            f"{format_decimal(min(values))}–{format_decimal(max(values))}"
    doors = [t.doors for t in created]
    times = [max(5, 5 * round(geo_turf.minutes(t.doors, t.walk_metres) / 5)) for t in created]
    return ngettext("Delte inn i %(num)s rode, %(doors)s dører, omtrent %(minutes)s minutter.",
                    "Delte inn i %(num)s roder, %(doors)s dører, omtrent %(minutes)s minutter hver.",
                    len(created), doors=span(doors), minutes=span(times))


@bp.get("/lag/<int:branch_id>/roder.geojson")
@roles_required(*MANAGERS)
def outlines(branch_id: int):
    """Outlines of the branch's live turf: name and doors, a colour apart from its neighbours, where to put the label.

    `ny` (first-last id) marks the turf just cut; its labels are placed first.
    """
    branch = branch_for_manager(branch_id)
    live = [t for t in turfs.live_turfs(branch) if t.geometry]
    colour = turfs.colours(live)
    fresh = _fresh(request.args.get("ny", ""))
    features = []
    for t in live:
        shape = geometry.from_geojson(t.geometry)
        at = shape.representative_point()
        features.append({"type": "Feature", "geometry": json.loads(t.geometry), "properties": {
            "id": t.id, "name": t.name, "short": _short(t.name), "doors": t.doors,
            "url": url_for("turf.show", turf_id=t.id),
            "colour": colour[t.id], "label_at": [round(at.y, 6), round(at.x, 6)], "fresh": _is_fresh(t, fresh),
            "area": shape.area}})
    return jsonify({"type": "FeatureCollection", "features": features})


def _short(name: str) -> str:
    """A map label: the number of a turf named when it was cut (0473-12 Vogts gate → 0473-12), else its name."""
    found = re.match(r"\d{4}-\d+\b", name)
    return found[0] if found else name


@bp.get("/roder/<int:turf_id>")
@roles_required(*MANAGERS)
def show(turf_id: int):
    """One turf: its outline, its walk list and what can be done with it."""
    t = turf_for_manager(turf_id)
    others = [o for o in turfs.live_turfs(t.branch, t.round) if o.id != t.id]
    return render_template("turf/show.html", turf=t, others=others, added=field.pending_doors([t.id]).get(t.id, []))


@bp.post("/roder/<int:turf_id>/dorer/<int:door_id>")
@roles_required(*MANAGERS)
def field_door(turf_id: int, door_id: int):
    """Confirm or reject a door or address a canvasser added in the field (the branch's coordinator, an admin)."""
    t = turf_for_manager(turf_id)
    door = db.session.get(FieldDoor, door_id)
    if door is None or door.turf_id != t.id:
        abort(404)
    decision = request.form.get("decision")
    if decision not in ("confirm", "reject"):
        abort(400, gettext("Velg «Bekreft» eller «Avvis»."))
    field.decide(door, current_user, decision == "confirm")
    flash(gettext("%(label)s er bekreftet.", label=door.label) if decision == "confirm"
          else gettext("%(label)s er avvist og teller ikke lenger med i roden.", label=door.label))
    back = request.form.get("next", "")
    # Only a path on this site: a form must not send the coordinator elsewhere.
    if not (back.startswith("/") and not back.startswith("//") and "\\" not in back):
        back = url_for("turf.show", turf_id=t.id)
    return redirect(back)


@bp.get("/roder/<int:turf_id>.geojson")
@roles_required(*MANAGERS)
def shape(turf_id: int):
    """The turf's outline and its addresses numbered in walking order."""
    return jsonify(turfs.geojson(turf_for_manager(turf_id)))


@bp.get("/roder/<int:turf_id>/gaaliste.pdf")
@roles_required(*MANAGERS)
def sheet(turf_id: int):
    """The printable walk sheet of a turf."""
    t = turf_for_manager(turf_id)
    return pdf_response(t, [t.branch.name, sheet_summary(t)])


def sheet_summary(t: Turf) -> str:
    return gettext("%(doors)s dører, %(addresses)s adresser, omtrent %(km)s km å gå", doors=t.doors,
                   addresses=len(t.stops), km=format_km(t.walk_metres))


def pdf_response(t: Turf, heading: list[str]) -> Response:
    response = Response(walk_sheet.render(t, heading, tiles.basemap(current_app)), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="rode-{t.id}.pdf"'
    return response


@bp.post("/roder/<int:turf_id>/navn")
@roles_required(*MANAGERS)
@refused_to(page_of)
def rename(turf_id: int):
    t = turf_for_manager(turf_id)
    turfs.rename(t, request.form.get("name", ""))
    return redirect(url_for("turf.show", turf_id=t.id))


@bp.post("/roder/<int:turf_id>/del")
@roles_required(*MANAGERS)
@refused_to(page_of)
def split(turf_id: int):
    t = turf_for_manager(turf_id)
    parts = turfs.split(t)
    flash(gettext("Roden er delt i %(count)s.", count=len(parts)))
    flash_lost_holders(parts.lost)
    return redirect(url_for("turf.show", turf_id=parts[0].id))


@bp.post("/roder/<int:turf_id>/slå-sammen")
@roles_required(*MANAGERS)
@refused_to(page_of)
def merge(turf_id: int):
    t = turf_for_manager(turf_id)
    other = turf_for_manager(request.form.get("other", type=int) or 0)
    flash_lost_holders(turfs.merge(t, other).lost)
    return redirect(url_for("turf.show", turf_id=t.id))


@bp.post("/roder/<int:turf_id>/flytt")
@roles_required(*MANAGERS)
@refused_to(page_of)
def move(turf_id: int):
    """Move the ticked addresses (with the rest of their buildings) to a neighbouring turf."""
    t = turf_for_manager(turf_id)
    destination = turf_for_manager(request.form.get("destination", type=int) or 0)
    turfs.move_addresses(t, destination, row_ids(request.form.getlist("address")))
    flash(gettext("Adressene er flyttet til %(name)s.", name=destination.name))
    return redirect(url_for("turf.show", turf_id=t.id))


@bp.post("/roder/<int:turf_id>/arkiver")
@roles_required(*MANAGERS)
@refused_to(page_of)
def archive(turf_id: int):
    """Take the turf off the map and the lists; its doors can be cut again, by this or a neighbouring branch."""
    t = turf_for_manager(turf_id)
    turfs.archive(t)
    flash(gettext("%(name)s er arkivert.", name=t.name))
    return redirect(url_for("turf.index", branch_id=t.branch_id))
