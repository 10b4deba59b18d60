"""Imports from the council's case-management system: children and reviews, as CSV.

Each import is all or nothing: every row is checked first, and one bad row rejects the
whole file with every problem listed by its line. Rows are matched on case_ref (children)
and on case_ref with review_date (reviews), so importing the same file twice changes
nothing the second time.
"""

from consult import audit
from consult.extensions import db
from consult.imports.children import import_children
from consult.imports.csvfile import ImportResult, RowError
from consult.imports.reviews import import_reviews
from consult.models import StaffUser

__all__ = ["ImportResult", "RowError", "finish_import", "import_children", "import_reviews"]


def finish_import(result: ImportResult, *, kind: str, by: StaffUser, path: str) -> None:
    """Commit a good import; roll back a refused one, keeping an audit event of the refusal."""
    if result.ok:
        db.session.commit()
        return
    db.session.rollback()
    audit.record("import.refused", staff=by, kind=kind, problems=len(result.errors),
                 refused_rows=result.refused, path=path)
    db.session.commit()
