"""Participation figures and the annual-report pack: pages, CSV, and the `report` command.

`period` and `figures` are plain functions over the database (the figures are counted in
SQL); `tables` says how small numbers are suppressed; `export` writes CSV and JSON.
"""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/staff/reports")

from consult.reports import return903, views  # noqa: E402,F401 - registers the routes
