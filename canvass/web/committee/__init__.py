"""The programme committee's part of the app: dashboard, input and themes, programme outline, report, exports."""
from flask import Blueprint

bp = Blueprint("committee", __name__, url_prefix="/komite")

from canvass.web.committee import answers, dashboard, exports, input, programme  # noqa: E402,F401
