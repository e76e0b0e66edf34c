"""Published committee reports, "Dette hørte vi – dette gjorde vi", for every member of the organisation."""
import json

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from canvass.extensions import db
from canvass.models import Committee, Report
from canvass.services.committee import programme

bp = Blueprint("reports", __name__, url_prefix="/rapporter")


@bp.get("/")
@login_required
def index():
    return render_template("reports/index.html", reports=programme.published(current_user.organisation_id))


@bp.get("/<int:report_id>")
@login_required
def show(report_id: int):
    """A report as it was published: aggregates and the programme's answers, never who said what."""
    report = db.session.get(Report, report_id)
    committee = db.session.get(Committee, report.committee_id) if report else None
    if committee is None or committee.organisation_id != current_user.organisation_id:
        abort(404)
    return render_template("reports/show.html", report=report, committee=committee,
                           content=json.loads(report.content))
