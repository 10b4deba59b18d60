"""The participation figures' pages: the figures, each table's CSV, the annual-report pack
and the 903 return. Views and templates only: the figures themselves, their period,
suppression, CSV and JSON and the `report` command are in `consult.figures`.
"""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/staff/reports")

from consult.reports import return903, views  # noqa: E402,F401 - registers the routes
