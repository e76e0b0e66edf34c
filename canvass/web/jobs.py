"""A job's page: what it is doing now (polled by htmx, or refreshed by the browser without JavaScript) and
how it ended. Only people of the job's organisation who may start that kind of job see it."""
from flask import Blueprint, abort, make_response, render_template
from flask_babel import get_locale
from flask_login import current_user, login_required
from htmx_flask import request

from canvass import queue
from canvass.extensions import db
from canvass.models import Job
from canvass.services import jobs

bp = Blueprint("jobs", __name__, url_prefix="/jobber")


def _job(job_id: int) -> Job:
    # Always read again: the consumer, another process, changes the row while the page polls it.
    job = db.session.get(Job, job_id, populate_existing=True)
    if job is None or not jobs.visible(job, current_user):
        abort(404)
    return job


def _context(job: Job) -> dict:
    progress = None if job.finished else queue.get().progress(job.id)
    return {"job": job, "progress": progress, "language": str(get_locale() or "nb"), "worded": jobs.worded}


@bp.get("/<int:job_id>")
@login_required
def show(job_id: int):
    job = _job(job_id)
    return render_template("jobs/show.html", **_context(job))


@bp.get("/<int:job_id>/status")
@login_required
def status(job_id: int):
    """The status fragment alone; while the job runs it asks to be fetched again."""
    job = _job(job_id)
    if not request.htmx:
        return render_template("jobs/show.html", **_context(job))
    response = make_response(render_template("jobs/_status.html", **_context(job)))
    if job.finished:
        # The page around the status (the geodata counts) refreshes what the job changed.
        response.headers["HX-Trigger"] = "job-finished"
    return response
