"""The data model. Importing this package registers every table on `Base.metadata`."""

from consult.models.alerts import STAFF_SETUP_EVENTS, AlertEvent, AlertOutbox
from consult.models.audit import AuditEvent
from consult.models.base import Base, utcnow
from consult.models.care import CarePeriod
from consult.models.children import Child
from consult.models.concerns import RaisedConcern
from consult.models.council import CouncilSettings, PledgeText
from consult.models.invitations import Invitation, InvitationPurpose, InviteeRole
from consult.models.reports import (
    AnswerFigures,
    AnswerFiguresMonthly,
    AnswerFiguresStale,
    ReviewFigures,
    ReviewFiguresDaily,
    ReviewFiguresIroMonthly,
    ReviewFiguresMonthly,
    ReviewFiguresStale,
)
from consult.models.requests import (
    HelpRequest,
    HelpRequestEvent,
    RequestKind,
    RequestSource,
    RequestState,
)
from consult.models.responses import (
    Answer,
    FreeTextAnswer,
    PaperResponse,
    Response,
    ResponseDraft,
)
from consult.models.reviews import (
    AttendeeRole,
    ConsultedRole,
    ParticipationCode,
    RecordSource,
    Review,
    ReviewAttendance,
    ReviewDecision,
    ReviewStatus,
    ReviewType,
    ReviewViews,
    ViewsChannel,
    WishAnswer,
)
from consult.models.staff import StaffRole, StaffUser
from consult.models.voices import VoiceClip

__all__ = [
    "STAFF_SETUP_EVENTS", "AlertEvent", "AlertOutbox", "CarePeriod", "CouncilSettings",
    "PledgeText",
    "Answer", "AttendeeRole", "AuditEvent", "Base", "Child", "ConsultedRole", "FreeTextAnswer",
    "HelpRequest", "HelpRequestEvent", "Invitation", "InvitationPurpose", "InviteeRole",
    "ParticipationCode", "RecordSource", "RequestKind", "RequestSource", "RequestState",
    "Response", "Review",
    "AnswerFigures", "AnswerFiguresMonthly", "AnswerFiguresStale", "ReviewAttendance",
    "ReviewFigures", "ReviewFiguresDaily", "ReviewFiguresIroMonthly", "ReviewFiguresMonthly",
    "ReviewFiguresStale", "ReviewStatus", "ReviewType",
    "ReviewDecision", "ReviewViews", "StaffRole", "StaffUser",
    "ViewsChannel", "WishAnswer", "utcnow",
    "ResponseDraft", "PaperResponse", "RaisedConcern", "VoiceClip",
]
