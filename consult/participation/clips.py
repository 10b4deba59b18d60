"""A recorded clip of a question's words, served from our own origin (`consult.voices`).

Named by the hash of its bytes, so a URL always means the same bytes: browsers and proxies
may keep it for a year without asking again. Nobody's data is in a clip (it is staff
reading the questions aloud), so it is public, like the stylesheet.
"""

from __future__ import annotations

import io
import re

from flask import abort, send_file

from consult import policy, voices
from consult.participation import bp

ONE_YEAR = 365 * 24 * 60 * 60
CACHE_CONTROL = f"public, max-age={ONE_YEAR}, immutable"
_SHA256 = re.compile(r"[0-9a-f]{64}")


@bp.get("/voices/<content_hash>")
@policy.public
def voice_clip(content_hash: str):
    if not _SHA256.fullmatch(content_hash):
        abort(404)
    clip = voices.clip_by_hash(content_hash)
    if clip is None:
        abort(404)
    # conditional: answers Range requests (media elements seek with them) and If-None-Match.
    response = send_file(io.BytesIO(clip.audio), mimetype=clip.media_type, conditional=True,
                         etag=clip.content_hash, max_age=ONE_YEAR, last_modified=None)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
