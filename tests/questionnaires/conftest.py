"""Questionnaire tests need gettext, but neither the app nor a database."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import Babel


@pytest.fixture(autouse=True)
def babel_context():
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        yield
