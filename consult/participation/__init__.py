"""The public side: people invited to give their views open their link (or type the code
from their letter) and answer."""

from flask import Blueprint

bp = Blueprint("participation", __name__)

from consult.participation import clips, short_code, views  # noqa: E402,F401 - registers the routes
from consult.participation.session import remember_chosen_language  # noqa: E402

bp.before_request(remember_chosen_language)
