"""Recorded voices: every string a child hears in a questionnaire, recorded in each language.

A *slot* is one string a child hears on a question page: the question's heading, its hint,
or one of its choices, in the current version of a child's form. It is named by where it is
heard (`under_11.feel_at_home.choice.sad`), not by its words, so that when the words change
the old recording is still found, and marked out of date instead of played: a clip keeps
the SHA-256 of the English and of the translated words it was recorded from.

A clip is checked by its bytes, never by the type the browser declared (Ogg with Opus or
Vorbis, WebM, MP3, WAV, MP4/M4A), and by size; it is stored in the database and served
from our own origin under the hash of its bytes, so it may be cached for ever.

Who may record is `RECORDS_VOICES` in `consult.policy` (admins and IROs, at whose side an
interpreter records). Every recording, replacement and removal is audited.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from flask import url_for
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from consult import audit
from consult.extensions import db
from consult.i18n import SOURCE_LOCALE
from consult.models import InvitationPurpose, InviteeRole, StaffUser, VoiceClip, utcnow
from consult.questionnaires import definitions
from consult.questionnaires.model import IN_PERSON, Question, Questionnaire

MAX_CLIP_BYTES = 2 * 1024 * 1024
# The same words as the question template's "I'd rather tell my IRO in person" choice.
IN_PERSON_LABEL = _l("I'd rather tell my IRO in person")


class Part(enum.StrEnum):
    TEXT = "text"
    HINT = "hint"
    CHOICE = "choice"


class State(enum.StrEnum):
    NONE = "none"
    RECORDED = "recorded"
    OUT_OF_DATE = "out_of_date"


STATE_LABELS = {State.NONE: "Not recorded", State.RECORDED: "Recorded",
                State.OUT_OF_DATE: "Out of date"}


@dataclass(frozen=True)
class Slot:
    """One string a child hears on a question page."""

    questionnaire: Questionnaire
    question: Question
    part: Part
    text: LazyString
    choice: str | None = None

    @property
    def key(self) -> str:
        base = f"{self.questionnaire.key}.{self.question.key}.{self.part.value}"
        return f"{base}.{self.choice}" if self.choice else base

    @property
    def label(self) -> str:
        """What it is, for staff: "Question", "Hint", "Choice: sad"."""
        if self.part is Part.CHOICE:
            return f"Choice: {self.choice}"
        return "Question" if self.part is Part.TEXT else "Hint"


def child_forms() -> list[Questionnaire]:
    """The current forms a child may be given, each once, in the order `choose` finds them."""
    forms = [definitions.choose(InviteeRole.CHILD, purpose, age)
             for purpose in InvitationPurpose
             for age in (definitions.YOUNG_PERSON_FROM_AGE - 1, definitions.YOUNG_PERSON_FROM_AGE)]
    return list({form.key: form for form in forms}.values())


def question_slots(questionnaire: Questionnaire, question: Question) -> list[Slot]:
    """What a child hears on this question's page, in the order the page shows it."""
    slots = [Slot(questionnaire, question, Part.TEXT, question.text)]
    if question.hint:
        slots.append(Slot(questionnaire, question, Part.HINT, question.hint))
    slots += [Slot(questionnaire, question, Part.CHOICE, choice.label, choice.value)
              for choice in question.choices]
    if question.in_person:
        slots.append(Slot(questionnaire, question, Part.CHOICE, IN_PERSON_LABEL, IN_PERSON))
    return slots


@cache  # the forms are data that does not change while the process runs
def all_slots() -> tuple[Slot, ...]:
    """Every string a child hears in the current child forms."""
    return tuple(slot for form in child_forms() for question in form.questions
                 for slot in question_slots(form, question))


def find_slot(key: str) -> Slot | None:
    return next((slot for slot in all_slots() if slot.key == key), None)


@cache  # nor do the catalogs: each language's words are looked up once, not on every page
def _words_of_all_slots(language: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words of every slot of `all_slots()` in English and in the language."""
    texts = [slot.text for slot in all_slots()]
    return tuple(words_in(texts, SOURCE_LOCALE)), tuple(words_in(texts, language))


@lru_cache(maxsize=8192)  # the Voices pages ask it of the same 324 x 13 strings each time
def digest(words: str) -> str:
    return hashlib.sha256(words.encode("utf-8")).hexdigest()


def words_in(texts: Iterable[LazyString], language: str) -> list[str]:
    """The words of each text in a language (English for the source locale)."""
    with force_locale(language):
        return [str(text) for text in texts]


@dataclass(frozen=True)
class SlotState:
    slot: Slot
    english: str
    words: str
    state: State
    clip: VoiceClip | None

    @property
    def playable(self) -> bool:
        return self.state is State.RECORDED

    @property
    def shared(self) -> bool:
        """Played from a recording of the same words made for another question."""
        return self.clip is not None and self.clip.slot != self.slot.key


def _resolve(slot: Slot, english: str, words: str, own: VoiceClip | None,
             by_words: dict[tuple[str, str], VoiceClip]) -> tuple[State, VoiceClip | None]:
    """A slot's state and the clip it plays. The same words recorded for another question
    (say "Very happy") play here too: a recording is of words, found by their digests."""
    wanted = (digest(english), digest(words))
    if own is not None and (own.english_digest, own.text_digest) == wanted:
        return State.RECORDED, own
    if wanted in by_words:
        return State.RECORDED, by_words[wanted]
    return (State.OUT_OF_DATE, own) if own is not None else (State.NONE, None)


def _stored(languages: list[str], keys: list[str], text_digests: set[str]):
    """The clips, without their bytes, of these slots or of these words, in the languages."""
    return db.session.scalars(select(VoiceClip).where(
        VoiceClip.language.in_(languages),
        VoiceClip.slot.in_(keys) | VoiceClip.text_digest.in_(sorted(text_digests))))


def states(slots: Sequence[Slot], language: str) -> list[SlotState]:
    """Each slot's words in English and in the language, and the state of its recording.
    One statement, whatever the number of slots."""
    if slots is all_slots():  # the cached tuple itself: its words are cached too
        english, words = _words_of_all_slots(language)
    else:
        english = tuple(words_in((slot.text for slot in slots), SOURCE_LOCALE))
        words = tuple(words_in((slot.text for slot in slots), language))
    own: dict[str, VoiceClip] = {}
    by_words: dict[tuple[str, str], VoiceClip] = {}
    for clip in _stored([language], [slot.key for slot in slots], {digest(w) for w in words}):
        own[clip.slot] = clip
        by_words.setdefault((clip.english_digest, clip.text_digest), clip)
    found = []
    for i, slot in enumerate(slots):
        state, clip = _resolve(slot, english[i], words[i], own.get(slot.key), by_words)
        found.append(SlotState(slot, english[i], words[i], state, clip))
    return found


@dataclass(frozen=True)
class Coverage:
    language: str
    recorded: int
    out_of_date: int
    total: int

    @property
    def missing(self) -> int:
        return self.total - self.recorded - self.out_of_date

    @property
    def percent(self) -> int:
        """Recorded and current, as a whole percentage rounded down (100 only when all are)."""
        return self.recorded * 100 // self.total if self.total else 0


def coverage(languages: Iterable[str]) -> list[Coverage]:
    """For each language: how many of the strings a child hears have a current recording."""
    return [Coverage(language, sum(s.state is State.RECORDED for s in found),
                     sum(s.state is State.OUT_OF_DATE for s in found), len(found))
            for language, found in ((language, states(all_slots(), language))
                                    for language in languages)]


# -- the clip itself ----------------------------------------------------------------------

class ClipError(ValueError):
    """A file that cannot be a clip; the message is for the person who chose it."""


def _ogg_type(data: bytes) -> str | None:
    # The first page of an Ogg stream carries the codec's identification header.
    head = data[:512]
    return "audio/ogg" if b"OpusHead" in head or b"\x01vorbis" in head else None


def _webm_type(data: bytes) -> str | None:
    # EBML header, then DocType "webm" (0x4282, its size, then the bytes).
    return "audio/webm" if b"\x42\x82\x84webm" in data[:64] else None


def _mp4_type(data: bytes) -> str | None:
    # An ISO base media file begins with its ftyp box: size, "ftyp", major brand.
    if data[4:8] != b"ftyp":
        return None
    brand = data[8:12]
    return "audio/mp4" if brand in (b"M4A ", b"mp42", b"isom", b"iso5", b"iso6", b"dash",
                                    b"mp41") else None


def _mp3_type(data: bytes) -> str | None:
    if data[:3] == b"ID3":
        return "audio/mpeg"
    # A bare MPEG audio frame: 11 sync bits, MPEG version not "reserved", layer III.
    if len(data) >= 2 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0 \
            and data[1] & 0x18 != 0x08 and data[1] & 0x06 == 0x02:
        return "audio/mpeg"
    return None


def _wav_type(data: bytes) -> str | None:
    return "audio/wav" if data[:4] == b"RIFF" and data[8:12] == b"WAVE" else None


def sniff(data: bytes) -> str | None:
    """The audio type these bytes are, from the bytes themselves; None if not one we play."""
    if data[:4] == b"OggS":
        return _ogg_type(data)
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return _webm_type(data)
    for check in (_wav_type, _mp4_type, _mp3_type):
        found = check(data)
        if found:
            return found
    return None


def checked(data: bytes) -> str:
    """The clip's media type, or ClipError saying what is wrong with the file."""
    if not data:
        raise ClipError("The file is empty. Choose a recording, or record one.")
    if len(data) > MAX_CLIP_BYTES:
        raise ClipError(f"The file is {len(data) / 1024 / 1024:.1f} MB. A clip must be "
                        f"{MAX_CLIP_BYTES // 1024 // 1024} MB or smaller: record a shorter one, "
                        "or save it as Ogg, WebM or MP3.")
    media_type = sniff(data)
    if media_type is None:
        raise ClipError("The file is not a recording we can play. Use an Ogg (Opus or "
                        "Vorbis), WebM, MP3, WAV or M4A file.")
    return media_type


def save(slot: Slot, language: str, data: bytes, *, by: StaffUser) -> VoiceClip:
    """Record (or replace) the clip of a slot in a language, tied to today's words."""
    media_type = checked(data)
    english, words = words_in([slot.text], SOURCE_LOCALE)[0], words_in([slot.text], language)[0]
    clip = db.session.scalar(select(VoiceClip).where(
        VoiceClip.slot == slot.key, VoiceClip.language == language))
    action = "voice.replaced" if clip else "voice.recorded"
    if clip is None:
        clip = VoiceClip(slot=slot.key, language=language)
        db.session.add(clip)
    clip.english_digest, clip.text_digest = digest(english), digest(words)
    clip.media_type, clip.audio, clip.size = media_type, data, len(data)
    clip.content_hash = hashlib.sha256(data).hexdigest()
    clip.recorded_by_id, clip.recorded_at = by.id, utcnow()
    db.session.flush()
    audit.record(action, staff=by, subject=clip, language=language.lower(), size=len(data))
    return clip


def remove(slot: Slot, language: str, *, by: StaffUser) -> bool:
    """Remove a slot's clip in a language; False if there was none."""
    clip = db.session.scalar(select(VoiceClip).where(
        VoiceClip.slot == slot.key, VoiceClip.language == language))
    if clip is None:
        return False
    audit.record("voice.removed", staff=by, subject=clip, language=language.lower())
    db.session.delete(clip)
    return True


def clip_by_hash(content_hash: str) -> VoiceClip | None:
    """A stored clip, bytes and all, by the hash of its bytes (the name in its URL)."""
    return db.session.scalars(
        select(VoiceClip).where(VoiceClip.content_hash == content_hash).limit(1)).first()


def clip_url(clip: VoiceClip) -> str:
    return url_for("participation.voice_clip", content_hash=clip.content_hash)


# -- on the child's question page ---------------------------------------------------------

@dataclass(frozen=True)
class Listen:
    """What Listen can play on a question page: the current clips, in the order heard."""

    clips: tuple[str, ...]

    @property
    def first(self) -> str | None:
        return self.clips[0] if self.clips else None


def listen_for(questionnaire: Questionnaire, question: Question) -> Listen:
    """The recordings of this question's words in the page's language that still match them.
    One statement, and none of the clips' bytes; an out-of-date clip is never offered."""
    locale = get_locale()
    language = str(locale) if locale else SOURCE_LOCALE
    found = states(question_slots(questionnaire, question), language)
    return Listen(tuple(clip_url(item.clip) for item in found if item.playable))
