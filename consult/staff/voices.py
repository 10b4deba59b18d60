"""The Voices pages: every string a child hears, recorded in each language (`consult.voices`).

Recording in the browser is the optional script's (MediaRecorder fills the upload form's
file field); without it, or where the browser cannot record, a file is uploaded.
"""

from __future__ import annotations

from flask import abort, current_app, g, redirect, render_template, request, url_for

from consult import voices
from consult.extensions import db
from consult.i18n import LANGUAGES, SOURCE_LOCALE, english_name
from consult.policy import RECORDS_VOICES
from consult.staff import bp
from consult.staff.access import staff_required

# Only the page that records may use the microphone, and only for our own origin.
RECORDING_PERMISSIONS = ("accelerometer=(), browsing-topics=(), camera=(), display-capture=(), "
                         "geolocation=(), gyroscope=(), magnetometer=(), microphone=(self), "
                         "payment=(), usb=()")


def _languages() -> list[str]:
    """The languages offered to children, English first."""
    offered = current_app.config["LANGUAGES"]
    return [SOURCE_LOCALE] + [code for code in offered if code != SOURCE_LOCALE]


def _language(code: str) -> str:
    if code not in _languages():
        abort(404)
    return code


def _slot(key: str) -> voices.Slot:
    slot = voices.find_slot(key)
    if slot is None:
        abort(404)
    return slot


@bp.get("/voices")
@staff_required(*RECORDS_VOICES)
def voices_overview():
    return render_template("staff/voices/overview.html", coverage=voices.coverage(_languages()),
                           english_name=english_name, forms=voices.child_forms())


@bp.get("/voices/<code>")
@staff_required(*RECORDS_VOICES)
def voices_language(code: str):
    language = LANGUAGES[_language(code)]
    found = voices.states(voices.all_slots(), code)
    return render_template(
        "staff/voices/language.html", language=language, found=found,
        coverage=voices.coverage([code])[0], labels=voices.STATE_LABELS,
        clip_url=voices.clip_url)


def _voice_page(code: str, slot: voices.Slot, *, error: str | None = None, status: int = 200):
    found = voices.states([slot], code)[0]
    response = current_app.make_response((render_template(
        "staff/voices/slot.html", language=LANGUAGES[code], item=found, error=error,
        labels=voices.STATE_LABELS, clip_url=voices.clip_url,
        max_megabytes=voices.MAX_CLIP_BYTES // 1024 // 1024,
        saved=request.args.get("saved")), status))
    response.headers["Permissions-Policy"] = RECORDING_PERMISSIONS
    return response


@bp.route("/voices/<code>/<key>", methods=["GET", "POST"])
@staff_required(*RECORDS_VOICES)
def voice(code: str, key: str):
    code, slot = _language(code), _slot(key)
    if request.method == "GET":
        return _voice_page(code, slot)
    upload = request.files.get("clip")
    # One byte more than allowed is enough to know it is too large.
    data = upload.stream.read(voices.MAX_CLIP_BYTES + 1) if upload else b""
    try:
        voices.save(slot, code, data, by=g.staff)
    except voices.ClipError as error:
        db.session.rollback()
        return _voice_page(code, slot, error=str(error), status=400)
    db.session.commit()
    return redirect(url_for("staff.voice", code=code, key=key, saved="recorded"), code=303)


@bp.post("/voices/<code>/<key>/remove")
@staff_required(*RECORDS_VOICES)
def remove_voice(code: str, key: str):
    code, slot = _language(code), _slot(key)
    removed = voices.remove(slot, code, by=g.staff)
    db.session.commit()
    return redirect(url_for("staff.voice", code=code, key=key,
                            saved="removed" if removed else None), code=303)
