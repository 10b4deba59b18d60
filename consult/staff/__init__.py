"""The staff side: sign-in and the IRO's pages. Always in English."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from consult.staff import (  # noqa: E402,F401 - registers the routes
    admin,
    attention,
    auth,
    child_data,
    children,
    council,
    imports,
    meetings,
    paper,
    requests,
    views,
    voices,
)


@bp.app_context_processor
def _header_counts() -> dict[str, object]:
    # A function, so that only staff pages (base_staff.html) pay for the counts.
    return {"staff_waiting": attention.waiting}
