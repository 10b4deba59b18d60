from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from consult.models.base import Base, utcnow


class VoiceClip(Base):
    """A recording of one string a child hears (a question's heading, hint or a choice) in
    one language, and the exact words it was recorded from.

    `slot` names the string by where it is heard (`consult.voices.Slot.key`), not by its
    words, so a change of words finds the old recording and marks it out of date:
    `english_digest` and `text_digest` are the SHA-256 of the English and the translated
    words at the time of recording. `content_hash` (SHA-256 of the bytes) names the clip in
    its URL, so it may be cached for ever. The bytes are deferred: lists never load them.
    """

    __tablename__ = "voice_clips"
    __table_args__ = (
        UniqueConstraint("slot", "language"),
        Index("ix_voice_clips_content_hash", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(10))
    english_digest: Mapped[str] = mapped_column(String(64))
    text_digest: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    audio: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<VoiceClip {self.id} {self.slot} {self.language}>"
