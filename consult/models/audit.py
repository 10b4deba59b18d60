from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, event, func
from sqlalchemy.orm import Mapped, mapped_column

from consult.models.base import Base, utcnow


class AuditEvent(Base):
    """Who did what to which record, and when. Never what anyone wrote."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=func.now(), index=True)
    action: Mapped[str] = mapped_column(String(60))
    actor_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    # Erasing a child deletes their invitations; the events stay, without the link to them.
    actor_invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"))
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class AuditIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit event."""


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(_mapper, _connection, target: AuditEvent) -> None:
    # The app only ever adds events; on PostgreSQL a trigger refuses the same in SQL.
    raise AuditIsAppendOnly(f"audit event {target.id} cannot be changed or deleted")
