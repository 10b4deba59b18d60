"""Pages that exist only in the browser tests, each with one planted fault, so the tests
can show that each gate catches what it is there to catch. Registered on the live test
server by the harness; the app itself never has them.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, Flask, render_template_string, request

bp = Blueprint("planted", __name__, url_prefix="/_planted")

PAGE = """{% extends "base.html" %}
{% set page_title = "A page with a planted fault" %}
{% block content %}<h1>{{ page_title }}</h1>{{ body|safe }}{% endblock %}"""

# A one-pixel image, same origin, allowed by the Content-Security-Policy.
PIXEL = ('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1">'
         '<rect width="1" height="1"/></svg>')


@bp.get("/pixel.svg")
def pixel():
    return PIXEL, 200, {"Content-Type": "image/svg+xml"}


@bp.get("/clean")
def clean():
    """The same page with no fault: every gate passes it."""
    return render_template_string(PAGE, body='<p>Nothing wrong here.</p>')


@bp.get("/image-without-alt")
def image_without_alt():
    return render_template_string(PAGE, body='<p><img src="/_planted/pixel.svg"></p>')


@bp.get("/heavy-html")
def heavy_html():
    # Random text barely compresses, so it stays heavy on the wire: about 17 KB of HTML.
    return render_template_string(PAGE, body=f"<p>{secrets.token_urlsafe(16 * 1024)}</p>")


@bp.get("/heavy-image")
def heavy_image():
    # A light page that pulls in a heavy image: the page in all goes over budget.
    return render_template_string(PAGE, body='<p><img src="/_planted/noise.svg" alt=""></p>')


@bp.get("/noise.svg")
def noise():
    body = f'<!-- {secrets.token_urlsafe(32 * 1024)} -->'
    return PIXEL.replace("<rect", body + "<rect"), 200, {"Content-Type": "image/svg+xml"}


@bp.get("/other-origin")
def other_origin():
    # Its own policy lets the image through, so only the one-origin gate stands in the way.
    port = request.host.rsplit(":", 1)[-1]
    page = render_template_string(
        PAGE, body=f'<p><img src="http://localhost:{port}/_planted/pixel.svg" alt=""></p>')
    return page, 200, {"Content-Security-Policy": "img-src *; style-src 'self'"}


@bp.get("/inline-style")
def inline_style():
    return render_template_string(PAGE, body='<p style="color: red">Blocked by the policy.</p>')


@bp.get("/style-not-hashed")
def style_not_hashed():
    # The start page's own policy, which allows the stylesheet's <style> by its hash: a
    # <style> with any other text is still refused.
    from consult import assets
    from consult.web import content_security_policy

    policy = content_security_policy(style_sources=(assets.inline_style().csp_source,))
    page = render_template_string(PAGE, body="<style>p { color: red }</style><p>Refused.</p>")
    return page, 200, {"Content-Security-Policy": policy}


@bp.get("/focus-hidden.css")
def focus_hidden_css():
    return (":focus, :focus-visible { outline: none !important; box-shadow: none !important;"
            " background: inherit !important; }",
            200, {"Content-Type": "text/css"})


@bp.get("/no-visible-focus")
def no_visible_focus():
    body = ('<link rel="stylesheet" href="/_planted/focus-hidden.css">'
            '<form method="post"><button class="button" type="submit">Send</button></form>')
    return render_template_string(PAGE, body=body)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
