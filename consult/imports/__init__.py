"""Imports from the council's case-management system: children and reviews, as CSV.

Each import is all or nothing: every row is checked first, and one bad row rejects the
whole file with every problem listed by its line. Rows are matched on case_ref (children)
and on case_ref with review_date (reviews), so importing the same file twice changes
nothing the second time.
"""

from consult.imports.children import import_children
from consult.imports.csvfile import ImportResult, RowError
from consult.imports.reviews import import_reviews

__all__ = ["ImportResult", "RowError", "import_children", "import_reviews"]
