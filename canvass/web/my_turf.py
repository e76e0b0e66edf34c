"""The canvasser's own turf outside the walk list: its printable walk sheet and its outline for the map.

Beside the field views (canvass/web/field.py), and checked the same way: an assignment is found only
by the volunteer it was given to (`field.my_assignment`); anyone else, coordinators included, gets 404.
"""
from flask import Blueprint, jsonify
from flask_login import login_required

from canvass.formatting import format_day
from canvass.services.turf import turfs
from canvass.web.field import my_assignment
from canvass.web.turf import pdf_response, sheet_summary

bp = Blueprint("my_turf", __name__, url_prefix="/mine/roder")


@bp.get("/<int:assignment_id>/gaaliste.pdf")
@login_required
def sheet(assignment_id: int):
    """The printable walk sheet of the volunteer's turf."""
    assignment = my_assignment(assignment_id)
    action = assignment.action
    return pdf_response(assignment.turf, [f"{action.title}, {format_day(action.starts_at)}", action.meeting_point,
                                          sheet_summary(assignment.turf)])


@bp.get("/<int:assignment_id>.geojson")
@login_required
def shape(assignment_id: int):
    return jsonify(turfs.geojson(my_assignment(assignment_id).turf))
