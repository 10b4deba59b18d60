"""Council settings and the Pledge, which an admin keeps up to date without a code change."""

from __future__ import annotations

import re

from flask import abort, current_app, g, redirect, render_template, request, url_for
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional, Regexp

from consult import council
from consult.extensions import db
from consult.forms import CleanForm
from consult.i18n import LANGUAGES, SOURCE_LOCALE
from consult.models import StaffRole
from consult.staff import bp
from consult.staff.access import staff_required

PLEDGE_MAX_LENGTH = 20_000
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_WEB_ADDRESS = re.compile(r"https://[^\s/?#@]+\.[^\s/?#@]+([/?#]\S*)?")


def _name(label: str, description: str = "") -> StringField:
    return StringField(label, description=description, validators=[
        Length(max=120, message="Use 120 characters or fewer.")])


def _contact(label: str, description: str) -> TextAreaField:
    return TextAreaField(label, description=description, validators=[
        Length(max=300, message="Use 300 characters or fewer.")])


class CouncilSettingsForm(CleanForm):
    council_name = _name("Council name", "As children know it, e.g. City of Westhaven Council.")
    iro_service_contact = _contact(
        "IRO service contact", "A phone number and email address children can use.")
    advocacy_provider = _name("Advocacy provider", "The organisation that gives advocacy here.")
    advocacy_contact = _contact("Advocacy contact", "How a child reaches them themselves.")
    independent_visitor_provider = _name(
        "Independent visitor provider", "The organisation that finds independent visitors.")
    independent_visitor_contact = _contact(
        "Independent visitor contact", "How a child reaches them themselves.")
    complaints_contact = _contact(
        "Complaints contact", "How a child reaches the council's complaints team.")
    service_inbox_email = StringField(
        "Service inbox email address",
        description="Alerts about requests not linked to a child, and about children whose "
                    "IRO has left, go here. Staff only; children never see it.",
        validators=[Optional(), Length(max=254, message="Use 254 characters or fewer."),
                    Regexp(_EMAIL, message="Enter an email address like name@council.gov.uk.")])
    exit_page_url = StringField(
        "Exit this page: where it leads",
        description="Every public page has an \"Exit this page\" button for a child who needs "
                    "to hide what they are doing. Choose a neutral website that gives nothing "
                    f"away. Leave it empty for {council.DEFAULT_EXIT_PAGE_URL}.",
        validators=[Optional(), Length(max=300, message="Use 300 characters or fewer."),
                    Regexp(_WEB_ADDRESS, message="Enter a web address that starts with "
                                                 "https://, like https://www.bbc.co.uk/weather.")])


class PledgeForm(CleanForm):
    text = TextAreaField(
        "Pledge text",
        description="Leave a blank line between paragraphs. Leave it all empty to remove the "
                    "Pledge in this language: children then see the English one.",
        validators=[Length(max=PLEDGE_MAX_LENGTH,
                           message=f"Use {PLEDGE_MAX_LENGTH:,} characters or fewer.")])


@bp.route("/council", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def council_settings():
    settings = council.current()
    form = CouncilSettingsForm(obj=settings)
    saved = request.method == "GET" and request.args.get("saved") == "1"
    if form.validate_on_submit():
        council.save({name: getattr(form, name).data or "" for name in council.EDITABLE_FIELDS},
                     staff=g.staff)
        db.session.commit()
        return redirect(url_for("staff.council_settings", saved=1), code=303)
    return render_template(
        "staff/council/settings.html", form=form, saved=saved, pledges=council.pledges(),
        languages=_pledge_languages()), (400 if form.errors else 200)


def _pledge_languages():
    """English first, then the languages offered to children, then the others."""
    offered = current_app.config["LANGUAGES"]
    ordered = [SOURCE_LOCALE] + [code for code in offered if code != SOURCE_LOCALE]
    ordered += [code for code in LANGUAGES if code not in ordered]
    return [(code, code in offered) for code in ordered]


@bp.route("/council/pledge/<code>", methods=["GET", "POST"])
@staff_required(StaffRole.ADMIN)
def pledge(code: str):
    if code not in LANGUAGES:
        abort(404)
    existing = council.pledges().get(code)
    form = PledgeForm(text=existing.text if existing else "")
    if form.validate_on_submit():
        council.save_pledge(code, form.text.data or "", staff=g.staff)
        db.session.commit()
        return redirect(url_for("staff.council_settings", _anchor="pledge"), code=303)
    return render_template("staff/council/pledge.html", form=form, code=code,
                           direction=LANGUAGES[code].direction), (400 if form.errors else 200)
