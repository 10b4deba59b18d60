"""Static files for phones on prepaid data: compressed, named by their content, kept a year.

Flask-Compress compresses every text response, pages and static files alike (brotli or
gzip, whichever the browser accepts). A static file's URL carries a hash of its content
(`/static/css/app.1a2b3c4d5e6f.css`), so a browser may keep it for a year without ever
asking again: a changed file gets a new name, and the page that names it is never cached.

Why not Flask-Static-Digest: it hashes and compresses at build time, in a separate step
that every checkout, test run and deployment would have to remember. The few files here
are hashed when first linked instead, and in development re-hashed when they change on
disk, so a fresh checkout and the tests need no build step and an edited stylesheet never
goes stale (in production and the tests, where files do not change while the app runs,
once).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

from flask import Flask, abort, current_app
from flask_compress import Compress

ONE_YEAR = 365 * 24 * 60 * 60
IMMUTABLE = f"public, max-age={ONE_YEAR}, immutable"
# A file asked for by its plain name may change under that name: check back every time.
REVALIDATE = "no-cache"

_HASHED_NAME = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<suffix>\.[^./]+)$")

compress = Compress()

# The one page that must paint in a single round trip (the secret link's start page) carries
# the stylesheet in a <style> element, allowed by its hash in the Content-Security-Policy.
INLINE_STYLESHEET = "css/app.css"
_INLINE = "consult.inline_stylesheet"


@dataclass(frozen=True)
class InlineStyle:
    """A stylesheet's text for a <style> element, and the CSP source that allows exactly it."""

    text: str
    csp_source: str  # "'sha256-<base64>'"


@lru_cache(maxsize=8)
def _inline_style(path: Path, _modified_ns: int, _size: int) -> InlineStyle:
    text = path.read_text(encoding="utf-8")
    if "</style" in text.lower():
        raise ValueError(f"{path} cannot go in a <style> element: it says </style")
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return InlineStyle(text=text, csp_source=f"'sha256-{digest}'")


def _read_inline_style(static_folder: Path, filename: str) -> InlineStyle:
    path = static_folder / filename
    stat = path.stat()
    return _inline_style(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _digest(path: Path, _modified_ns: int, _size: int) -> str:
    # Keyed on the modification time and size, so an edited file is hashed afresh.
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def content_digest(static_folder: Path, filename: str) -> str | None:
    """The first 12 hex digits of the file's SHA-256, or None when there is no such file."""
    path = (static_folder / filename).resolve()
    if not path.is_relative_to(static_folder.resolve()) or not path.is_file():
        return None
    stat = path.stat()
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def hashed_name(static_folder: Path, filename: str) -> str:
    """'css/app.css' -> 'css/app.1a2b3c4d5e6f.css'; unknown files keep their name."""
    digest = content_digest(static_folder, filename)
    if digest is None:
        return filename
    stem, dot, suffix = filename.rpartition(".")
    if not dot or "/" in suffix:
        return filename
    return f"{stem}.{digest}.{suffix}"


def plain_name(filename: str) -> tuple[str, str | None]:
    """'css/app.1a2b3c4d5e6f.css' -> ('css/app.css', '1a2b3c4d5e6f'); else (filename, None)."""
    match = _HASHED_NAME.match(filename)
    if match is None:
        return filename, None
    return match["stem"] + match["suffix"], match["digest"]


def _static_folder() -> Path:
    return Path(current_app.static_folder or "")


def serve_static(filename: str):
    """Serves a hashed name for a year; a plain name is served too, but checked each time."""
    folder = _static_folder()
    plain, digest = plain_name(filename)
    if digest is not None and content_digest(folder, plain) != digest:
        # A name from before the file changed: serving today's file under it would let
        # browsers keep the wrong content for a year.
        abort(404)
    response = current_app.send_static_file(plain)
    # Read whole (the files are small), so it is compressed in one piece with a length.
    response.direct_passthrough = False
    response.make_sequence()
    response.headers["Cache-Control"] = IMMUTABLE if digest is not None else REVALIDATE
    return response


def inline_style() -> InlineStyle:
    """The stylesheet to put in a page, with its hash: computed once at app start; in
    development read again when the file changes, as its hashed name is."""
    if current_app.config["ENV_NAME"] != "development":
        return current_app.extensions[_INLINE]
    return _read_inline_style(_static_folder(), INLINE_STYLESHEET)


def init_app(app: Flask) -> None:
    if app.static_folder is None:
        return
    app.extensions[_INLINE] = _read_inline_style(Path(app.static_folder), INLINE_STYLESHEET)
    # Pages are compressed too, although they hold a CSRF token: a BREACH attacker needs to
    # reflect their own text into the page beside the token and watch many sizes, and the
    # token Flask-WTF prints changes every second.
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_STREAMS", False)
    compress.init_app(app)

    static_folder = Path(app.static_folder)
    name_for = partial(hashed_name, static_folder)
    if app.config["ENV_NAME"] != "development":
        # Files change only with a deployment, which restarts the app (and not while the
        # tests run): hash each one once rather than look at the disk for every link on
        # every page. In development an edited file gets its new name at once.
        name_for = lru_cache(maxsize=256)(name_for)

    @app.url_defaults
    def static_url_carries_content_hash(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = name_for(values["filename"])

    app.view_functions["static"] = serve_static
