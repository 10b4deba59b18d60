from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from consult.models.base import Base, utcnow


class CouncilSettings(Base):
    """The council's own details, edited by an admin: one row, id 1.

    An empty field means "not filled in yet"; the public pages then say whom to ask instead.
    """

    __tablename__ = "council_settings"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    council_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    iro_service_contact: Mapped[str] = mapped_column(String(300), default="", server_default="")
    advocacy_provider: Mapped[str] = mapped_column(String(120), default="", server_default="")
    advocacy_contact: Mapped[str] = mapped_column(String(300), default="", server_default="")
    independent_visitor_provider: Mapped[str] = mapped_column(
        String(120), default="", server_default="")
    independent_visitor_contact: Mapped[str] = mapped_column(
        String(300), default="", server_default="")
    complaints_contact: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # Where alerts go when no IRO can take them: requests not linked to a child yet.
    service_inbox_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    # Where "Exit this page" leads: a neutral site; empty means the default (council module).
    exit_page_url: Mapped[str] = mapped_column(String(300), default="", server_default="")
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class PledgeText(Base):
    """The council's Pledge to its children in care, in one language."""

    __tablename__ = "pledge_texts"

    language: Mapped[str] = mapped_column(String(10), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
