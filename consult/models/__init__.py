"""The data model. Importing this package registers every table on `Base.metadata`."""

from consult.models.audit import AuditEvent
from consult.models.base import Base, utcnow
from consult.models.children import Child
from consult.models.invitations import Invitation, InviteeRole
from consult.models.responses import Answer, FreeTextAnswer, Response
from consult.models.reviews import Review, ReviewStatus, ReviewType
from consult.models.staff import StaffRole, StaffUser

__all__ = [
    "Answer", "AuditEvent", "Base", "Child", "FreeTextAnswer", "Invitation", "InviteeRole",
    "Response", "Review", "ReviewStatus", "ReviewType", "StaffRole", "StaffUser", "utcnow",
]
