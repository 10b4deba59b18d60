"""The public rights pages, the help-now page, and asking for help (with or without a link)."""

from flask import Blueprint

bp = Blueprint("rights", __name__)

from consult.rights import views  # noqa: E402,F401 - registers the routes
