"""Admin: load official geodata from files or from Geonorge, and see what is loaded on a map.

Loading runs as a job in the queue consumer (services/jobs.py): the request saves the files, starts
the job and answers at once with the job's page, which shows its progress.
"""
import json

from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user
from htmx_flask import request
from werkzeug.utils import secure_filename

from canvass.models import JobKind, Role
from canvass.services import jobs
from canvass.services.geography import geodata_import, geonorge, territory
from canvass.web.access import roles_required
from canvass.web.limits import body_limit

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _busy() -> str:
    """Why no more loading starts: the organisation's jobs already wait (services/jobs.py)."""
    return gettext(jobs.BUSY, num=jobs.WAITING_PER_ORGANISATION)


def _kommuner() -> list[tuple[str, str | None]]:
    """The organisation's kommuner with their names where the database knows them."""
    return [(number, geonorge.known_name(number)) for number in current_user.organisation.kommunenummer]


def _page(status: int = 200, error: str | None = None):
    return render_template("admin/geodata.html", counts=geodata_import.loaded(current_user.organisation.kommunenummer),
                           error=error, kommuner=_kommuner(),
                           recent_jobs=jobs.recent(current_user, jobs.ADMIN_KINDS)), status


def _refused(error: str):
    """The form's answer when nothing was started: the message in place, for htmx or the whole page."""
    if request.htmx:
        return render_template("admin/_import_result.html", error=error), 400
    return _page(400, error)


def _start(kind: JobKind, params: dict):
    """Start a loading job for the person's organisation, or say why not: the loadings it has already wait (those
    sent at the same moment are counted again once recorded, services/jobs.py)."""
    try:
        return _started(jobs.start(kind, current_user, params))
    except jobs.TooManyWaiting:
        return _refused(_busy())


def _started(job):
    """The job's page, or for htmx its status fragment in place of the form's result."""
    if request.htmx:
        headers = {"HX-Trigger": "job-finished"} if job.finished else {}  # a consumer that already ran it
        return render_template("jobs/_status.html", job=job, progress=None, language=str(get_locale() or "nb"),
                               worded=jobs.worded), 202, headers
    return redirect(url_for("jobs.show", job_id=job.id), 303)


@bp.get("/geodata")
@roles_required(Role.ADMIN)
def geodata():
    """What geography is loaded, a map of it, forms to load more, and the latest loading jobs."""
    return _page()


@bp.get("/geodata/tall")
@roles_required(Role.ADMIN)
def counts():
    """What is loaded: the page's counts fragment, fetched again when a loading job on the page ends."""
    return render_template("admin/_counts.html", counts=geodata_import.loaded(current_user.organisation.kommunenummer))


@bp.post("/geodata")
@body_limit("GEODATA_MAX_UPLOAD")
@roles_required(Role.ADMIN)
def upload():
    """Keep the uploaded files in a folder of the job's own and start the import job."""
    files = [f for f in request.files.getlist("files") if f.filename]
    if not files:
        return _refused(gettext("Velg minst én fil."))
    if jobs.too_many_waiting(current_user):
        return _refused(_busy())
    folder = jobs.job_folder(current_app.config)
    names = jobs.save_uploads(files, folder, secure_filename)
    return _start(JobKind.IMPORT, {
        "folder": str(folder), "files": names, "skip_invalid": request.form.get("skip_invalid") == "1",
        "scope": current_user.organisation.kommunenummer})


@bp.post("/geodata/hent")
@roles_required(Role.ADMIN)
def download():
    """Start a job that fetches one of the organisation's kommuner from Geonorge and imports what lies in them."""
    number = request.form.get("kommune", "")
    if number not in current_user.organisation.kommunenummer:
        return _refused(gettext("Velg en av kommunene deres."))
    name = request.form.get("navn", "").strip()[:100] or geonorge.known_name(number)
    if not name:
        return _refused(gettext("Oppgi navnet på kommune %(number)s.", number=number))
    if jobs.too_many_waiting(current_user):
        return _refused(_busy())
    folder = jobs.job_folder(current_app.config)
    return _start(JobKind.DOWNLOAD, {
        "folder": str(folder), "kommunenummer": number, "kommunenavn": name,
        "skip_invalid": request.form.get("skip_invalid") == "1", "scope": current_user.organisation.kommunenummer})


@bp.get("/geodata/kart.geojson")
@roles_required(Role.ADMIN)
def map_data():
    """District outlines of the admin's organisation; postal codes come from the branch map."""
    features = [{"type": "Feature", "geometry": json.loads(d.geometry),
                 "properties": {"name": d.name, "number": d.number}}
                for d in territory.districts(current_user.organisation)]
    return jsonify({"type": "FeatureCollection", "features": features})
