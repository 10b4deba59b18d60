"""Full addresses for links we hand to people: printed by the CLI, shown to an IRO."""

from __future__ import annotations

from flask import current_app


def external_url(endpoint: str, **values: object) -> str:
    # Built from BASE_URL rather than the request's Host header, which a client controls,
    # and so that the CLI, which has no request, prints the same addresses.
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"] + path
