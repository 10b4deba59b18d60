"""The council's own details and its Pledge, edited by an admin, read by the public pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from consult import audit, i18n
from consult.extensions import db
from consult.models import CouncilSettings, PledgeText, StaffUser, utcnow

SOURCE_LANGUAGE = i18n.SOURCE_LOCALE
EDITABLE_FIELDS = (
    "council_name", "iro_service_contact", "advocacy_provider", "advocacy_contact",
    "independent_visitor_provider", "independent_visitor_contact", "complaints_contact",
    "service_inbox_email", "exit_page_url",
)
# A neutral page that gives nothing away, that "Exit this page" leads to until an admin
# chooses another.
DEFAULT_EXIT_PAGE_URL = "https://www.bbc.co.uk/weather"


def current() -> CouncilSettings:
    """The saved settings, or an unsaved empty set before an admin has filled them in."""
    saved = db.session.get(CouncilSettings, 1)
    if saved is not None:
        return saved
    return CouncilSettings(id=1, **dict.fromkeys(EDITABLE_FIELDS, ""))


def exit_page_url() -> str:
    """Where "Exit this page" leads on every public page, error pages too: when the
    database cannot say, the default, so the way out is always there."""
    try:
        return current().exit_page_url or DEFAULT_EXIT_PAGE_URL
    except SQLAlchemyError:
        return DEFAULT_EXIT_PAGE_URL


def save(values: dict[str, str], *, staff: StaffUser) -> CouncilSettings:
    """Save the fields given (a field not given keeps its value)."""
    settings = db.session.get(CouncilSettings, 1)
    if settings is None:
        settings = CouncilSettings(id=1, **dict.fromkeys(EDITABLE_FIELDS, ""))
        db.session.add(settings)
    given = [name for name in EDITABLE_FIELDS if name in values]
    changed = [name for name in given if (getattr(settings, name) or "") != values[name].strip()]
    for name in given:
        setattr(settings, name, values[name].strip())
    settings.updated_at = utcnow()
    settings.updated_by_id = staff.id
    audit.record("council.settings_changed", staff=staff, fields_changed=len(changed))
    return settings


@dataclass(frozen=True)
class ShownPledge:
    text: str
    language: str
    is_fallback: bool

    @property
    def paragraphs(self) -> list[str]:
        return [part.strip() for part in self.text.split("\n\n") if part.strip()]


def pledge_for(language: str) -> ShownPledge | None:
    """The Pledge in this language; else the English one, marked as such; else None."""
    texts = {
        pledge.language: pledge.text for pledge in db.session.scalars(
            select(PledgeText).where(PledgeText.language.in_({language, SOURCE_LANGUAGE})))
    }
    if texts.get(language):
        return ShownPledge(texts[language], language, False)
    if texts.get(SOURCE_LANGUAGE):
        return ShownPledge(texts[SOURCE_LANGUAGE], SOURCE_LANGUAGE, True)
    return None


def pledges() -> dict[str, PledgeText]:
    return {pledge.language: pledge for pledge in db.session.scalars(select(PledgeText))}


def save_pledge(language: str, text: str, *, staff: StaffUser) -> None:
    """Store the Pledge in one language; an empty text removes that language's Pledge."""
    cleaned = text.replace("\r\n", "\n").strip()
    pledge = db.session.get(PledgeText, language)
    if not cleaned:
        if pledge is not None:
            db.session.delete(pledge)
        audit.record("council.pledge_removed", staff=staff, language=language.lower())
        return
    if pledge is None:
        pledge = PledgeText(language=language, text=cleaned)
        db.session.add(pledge)
    pledge.text = cleaned
    pledge.updated_at = utcnow()
    pledge.updated_by_id = staff.id
    audit.record("council.pledge_changed", staff=staff, language=language.lower())
