"""The public rights pages, the help-now page, and asking for help (with or without a link)."""

from flask import Blueprint

from consult import council

bp = Blueprint("rights", __name__)

from consult.rights import views  # noqa: E402,F401 - registers the routes


@bp.app_context_processor
def _exit_this_page() -> dict[str, object]:
    # A function, so that only the public pages (base.html's "Exit this page") read it.
    return {"exit_page_url": council.exit_page_url}
