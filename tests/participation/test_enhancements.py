"""The optional script: small, stored nowhere on the device, and saving through the server."""

from __future__ import annotations

import gzip

from sqlalchemy import select

from consult import assets
from consult.config import PROJECT_ROOT
from consult.extensions import db
from consult.models import ResponseDraft
from tests import factories
from tests.participation.walk import Respondent

SCRIPT = PROJECT_ROOT / "consult" / "static" / "js" / "enhance.js"
BUDGET_BYTES = 10 * 1024


def test_the_script_is_within_its_compressed_budget():
    compressed = len(gzip.compress(SCRIPT.read_bytes(), compresslevel=9))
    assert compressed <= BUDGET_BYTES, f"enhance.js is {compressed} bytes compressed"


def test_the_script_keeps_nothing_in_browser_storage():
    source = SCRIPT.read_text()
    for storage in ("localStorage", "sessionStorage", "indexedDB", "document.cookie", "caches"):
        assert storage not in source


def _opened(client):
    _invitation, token = factories.child_with_link()
    person = Respondent(client)
    person.open_link(token)
    person.link = token
    return person


def test_a_question_page_loads_the_script_and_hides_listen_until_a_voice_exists(client):
    page = _opened(client).get("/your-say/questions/went_well")

    # Named by its content (consult/assets.py), so phones may keep it for a year.
    src = "/static/" + assets.hashed_name(SCRIPT.parents[1], "js/enhance.js")
    assert f'<script src="{src}" defer></script>' in page.html
    assert 'hidden data-listen-lang="en-GB">Listen</button>' in page.html
    assert client.get(src).status_code == 200


def _save(client, person, data):
    return client.post("/your-say/questions/went_well/save",
                       data={"csrf_token": person.token, **data})


def test_the_background_save_keeps_the_answer_without_leaving_the_page(client, app):
    person = _opened(client)
    person.get("/your-say/questions/went_well")

    saved = _save(client, person, {"went_well": "half a sentence"})

    assert saved.status_code == 200 and saved.json == {"saved": True, "message": "Saved"}
    draft = db.session.scalar(select(ResponseDraft))
    assert draft.answers == {"went_well": "half a sentence"} and draft.resume_at == "went_well"
    assert ">half a sentence</textarea>" in person.get("/your-say/questions/went_well").html
    # In another browser the words are saved but not shown back (issue 16).
    resumed = Respondent(app.test_client()).open_link(person.link)
    assert resumed.question_key == "went_well" and "half a sentence" not in resumed.html
    assert "You wrote something here before. It is saved." in resumed.html


def test_the_background_save_refuses_too_long_text_with_the_message(client):
    person = _opened(client)
    person.get("/your-say/questions/went_well")

    refused = _save(client, person, {"went_well": "x" * 2001})

    assert refused.status_code == 422
    assert refused.json["message"].startswith("Your answer must be 2,000 characters or fewer.")
    assert db.session.scalar(select(ResponseDraft)) is None


def test_the_background_save_needs_the_csrf_token_and_a_session(client, app):
    person = _opened(client)
    person.get("/your-say/questions/went_well")

    forged = client.post("/your-say/questions/went_well/save", data={"went_well": "x"})
    stranger = app.test_client().post("/your-say/questions/went_well/save",
                                      data={"csrf_token": person.token, "went_well": "x"})

    assert forged.status_code == 400 and forged.json["saved"] is False
    assert stranger.status_code == 400 and stranger.json["saved"] is False
    assert db.session.scalar(select(ResponseDraft)) is None
