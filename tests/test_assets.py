"""Static files: named by their content, cached for a year, compressed; pages compressed too."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest
from flask.testing import FlaskClient

from consult import assets
from consult.config import PROJECT_ROOT

STATIC = PROJECT_ROOT / "consult" / "static"


def _stylesheet_url(client) -> str:
    page = client.get("/staff/sign-in").get_data(as_text=True)
    return re.search(r'<link rel="stylesheet" href="([^"]+)"', page)[1]


def test_pages_link_the_stylesheet_by_a_name_that_carries_its_content_hash(client):
    digest = assets.content_digest(STATIC, "css/app.css")

    assert _stylesheet_url(client) == f"/static/css/app.{digest}.css"


def test_a_hashed_name_is_kept_for_a_year_and_a_plain_name_is_checked_each_time(client):
    hashed = client.get(_stylesheet_url(client))
    plain = client.get("/static/css/app.css")

    assert hashed.status_code == plain.status_code == 200
    assert hashed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert plain.headers["Cache-Control"] == "no-cache"
    assert hashed.get_data() == plain.get_data() == (STATIC / "css" / "app.css").read_bytes()


def test_a_name_whose_hash_no_longer_matches_is_not_found(client):
    assert client.get("/static/css/app.000000000000.css").status_code == 404
    assert client.get("/static/css/none.000000000000.css").status_code == 404
    assert client.get("/static/../consult/__init__.py").status_code == 404


def test_an_edited_file_gets_a_new_name(tmp_path):
    (tmp_path / "site.css").write_text("a { color: red; }")
    first = assets.hashed_name(tmp_path, "site.css")
    (tmp_path / "site.css").write_text("a { color: blue; }")
    second = assets.hashed_name(tmp_path, "site.css")

    assert first != second
    assert assets.plain_name(second) == ("site.css", second.split(".")[1])
    assert assets.hashed_name(tmp_path, "missing.css") == "missing.css"
    assert assets.plain_name("css/app.css") == ("css/app.css", None)


@pytest.mark.parametrize(("encoding", "decompress"), [("br", brotli.decompress),
                                                      ("gzip", gzip.decompress)])
def test_static_files_and_pages_are_served_compressed(app, encoding, decompress):
    # A plain client: the checking one would try to parse the compressed page as HTML.
    client = FlaskClient(app, app.response_class)
    headers = {"Accept-Encoding": encoding}
    stylesheet = client.get(_stylesheet_url(client), headers=headers)
    page = client.get("/staff/sign-in", headers=headers)

    for response in (stylesheet, page):
        assert response.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response.headers["Vary"]
        assert int(response.headers["Content-Length"]) == len(response.get_data())
    assert decompress(stylesheet.get_data()) == (STATIC / "css" / "app.css").read_bytes()
    assert decompress(page.get_data()).startswith(b"<!DOCTYPE html>")
    assert page.headers["Cache-Control"] == "no-store"
