"""Admin: load official geodata from files and see what is loaded on a map."""
import json
import tempfile
from pathlib import Path

from flask import Blueprint, current_app, jsonify, render_template
from flask_babel import gettext
from flask_login import current_user
from htmx_flask import request
from sqlalchemy import func, select
from werkzeug.utils import secure_filename

from canvass.extensions import db
from canvass.geo.errors import GeodataError
from canvass.models import Address, District, Dwelling, PostalArea, Role
from canvass.services import geodata_import, geonorge, territory
from canvass.web.access import roles_required
from canvass.web.limits import body_limit

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _counts() -> dict:
    return {
        "postal_codes": db.session.scalar(select(func.count()).select_from(PostalArea)),
        "postal_areas": db.session.scalar(select(func.count()).where(PostalArea.geometry.is_not(None))),
        "districts": db.session.scalar(select(func.count()).select_from(District)),
        "addresses": db.session.scalar(select(func.count()).select_from(Address)),
        "dwellings": db.session.scalar(select(func.count()).select_from(Dwelling)),
    }


def _kommuner() -> list[tuple[str, str | None]]:
    """The organisation's kommuner with their names where the database knows them."""
    return [(number, geonorge.known_name(number)) for number in current_user.organisation.kommunenummer]


@bp.get("/geodata")
@roles_required(Role.ADMIN)
def geodata():
    """What geography is loaded, a map of it, and forms to load more."""
    return render_template("admin/geodata.html", counts=_counts(), kommuner=_kommuner())


@bp.post("/geodata/hent")
@roles_required(Role.ADMIN)
def download():
    """Fetch one of the organisation's kommuner from Geonorge and import what lies in its kommuner."""
    kommunenummer = request.form.get("kommune", "")
    organisation = current_user.organisation
    results, error = [], None
    name = request.form.get("navn", "").strip()[:100] or geonorge.known_name(kommunenummer)
    if kommunenummer not in organisation.kommunenummer:
        error = gettext("Velg en av kommunene deres.")
    elif not name:
        error = gettext("Oppgi navnet på kommune %(number)s.", number=kommunenummer)
    else:
        try:
            with tempfile.TemporaryDirectory(prefix="canvass-geonorge-") as folder:
                fetched = geonorge.download(current_app.config["GEONORGE_BASE_URL"], kommunenummer, name,
                                            Path(folder))
                results = geodata_import.import_paths(fetched.paths, request.form.get("skip_invalid") == "1",
                                                      scope=organisation.kommunenummer, touching=fetched.touching)
        except GeodataError as err:
            error = gettext(err.message, **err.params)
    template = "admin/_import_result.html" if request.htmx else "admin/geodata.html"
    status = 400 if error or any(not r.stored for r in results) else 200
    return render_template(template, counts=_counts(), kommuner=_kommuner(), results=results, error=error), status


@bp.post("/geodata")
@body_limit("GEODATA_MAX_UPLOAD")
@roles_required(Role.ADMIN)
def upload():
    """Import uploaded geodata files; each file is stored whole or not at all."""
    files = [f for f in request.files.getlist("files") if f.filename]
    skip_invalid = request.form.get("skip_invalid") == "1"
    results, error = [], None
    if not files:
        error = gettext("Velg minst én fil.")
    else:
        with tempfile.TemporaryDirectory() as folder:
            paths = []
            for upload in files:
                path = Path(folder) / (secure_filename(upload.filename) or "upload")
                upload.save(path)
                paths.append(path)
            try:
                results = geodata_import.import_paths(paths, skip_invalid=skip_invalid,
                                                      scope=current_user.organisation.kommunenummer)
            except GeodataError as err:
                error = gettext(err.message, **err.params)
    template = "admin/_import_result.html" if request.htmx else "admin/geodata.html"
    status = 400 if error or any(not r.stored for r in results) else 200
    return render_template(template, counts=_counts(), kommuner=_kommuner(), results=results, error=error), status


@bp.get("/geodata/kart.geojson")
@roles_required(Role.ADMIN)
def map_data():
    """District outlines of the admin's organisation; postal codes come from the branch map."""
    features = [{"type": "Feature", "geometry": json.loads(d.geometry),
                 "properties": {"name": d.name, "number": d.number}}
                for d in territory.districts(current_user.organisation)]
    return jsonify({"type": "FeatureCollection", "features": features})
