from __future__ import annotations

from datetime import date

from flask import abort, current_app, g, redirect, render_template, request, url_for

from consult import (
    audit,
    caseload,
    concerns,
    invitations,
    meeting_record,
    schedule,
    short_codes,
    vocabulary,
)
from consult.alerts import outbox
from consult.extensions import db, limiter
from consult.i18n import served_language
from consult.inputs import clean_text
from consult.links import external_url
from consult.models import InvitationPurpose, InviteeRole, StaffRole, utcnow
from consult.questionnaires import reading
from consult.requests.workflow import requests_for_child
from consult.staff import bp, letters
from consult.staff.access import (
    may_acknowledge_concern,
    may_invite,
    may_read_only_for_iro,
    may_record_meeting,
    staff_required,
)
from consult.staff.children import schedule_for
from consult.staff.children import today as children_today
from consult.staff.forms import (
    PURPOSE_LABELS,
    InvitationEmailForm,
    InvitationForm,
)
from consult.vocabulary import INVITEE_LABELS

# Enough for a day of reviews; a stolen session cannot turn the council's mail server into
# a spam relay.
EMAIL_RATE = "40 per hour"


def _invitation_form(**kwargs) -> InvitationForm:
    return InvitationForm(offered_languages=current_app.config["LANGUAGES"], **kwargs)


def _paperwork_due(review) -> dict[str, date] | None:
    if review.held_on is None:
        return None
    return {"decisions": schedule.decisions_due(review.held_on),
            "record": schedule.record_due(review.held_on)}


def decision_rows(decisions, today: date) -> list[tuple[object, schedule.DecisionState]]:
    """Each decision with its state today: done, overdue or open."""
    return [(decision, schedule.decision_state(due_on=decision.due_on, done_on=decision.done_on,
                                               today=today)) for decision in decisions]


def _decisions_context(review) -> dict[str, object]:
    """This review's decisions, and those agreed at the review held before it."""
    today = children_today()
    previous = meeting_record.previous_held(review)
    return {
        "decisions": decision_rows(review.decisions, today),
        "next_decision_due": schedule.next_decision_due(
            (decision.due_on, decision.done_on) for decision in review.decisions),
        "previous_review": previous,
        "agreed_last_time": decision_rows(previous.decisions, today) if previous else [],
        "views_by_role": meeting_record.recorded_views(review),
    }


def sent_invitations(review) -> list:
    """The review's invitations whose response has been sent, in the order invited."""
    return [invitation for invitation in review.invitations
            if invitation.sent_at is not None and invitation.response is not None]


def concerns_panel(review, sent: list, now) -> dict[str, object]:
    """What the concerns panel (`staff/_concerns.html`) needs for this review's sent answers."""
    return {
        "concern_rows": concerns.shown(
            [concern for invitation in sent for concern in invitation.response.concerns], now),
        "sent_by_response": {invitation.response.id: invitation for invitation in sent},
        "may_act": may_acknowledge_concern(g.staff, review.child),
        "action_max_length": concerns.ACTION_MAX_LENGTH,
    }


def _review_page(review, form: InvitationForm, status: int = 200, *,
                 ack_problem: tuple[int, str] | None = None, ack_text: str = ""):
    full_view = may_read_only_for_iro(g.staff, review.child)
    inviting = may_invite(g.staff, review.child)
    sent = sent_invitations(review)
    now = utcnow()
    page = render_template(
        "staff/review.html", review=review, sent=sent, ack_problem=ack_problem,
        ack_text=ack_text, **concerns_panel(review, sent, now),
        form=form if inviting else None,
        emails=outbox.latest_invitation_emails(
            [invitation.id for invitation in review.invitations]) if inviting else {},
        may_be_emailed=lambda invitation: invitations.may_be_emailed(invitation, now),
        may_record=may_record_meeting(g.staff, review.child), planned=schedule_for(review.child),
        vocabulary=vocabulary, meeting_record_due=_paperwork_due(review),
        **_decisions_context(review),
        now=now, state_of=invitations.state_of, role_labels=INVITEE_LABELS,
        child_requests=requests_for_child(review.child),
        only_for_iro_visible=full_view,
        prepare_submission=lambda response: reading.prepare_submission(
            response, include_only_for_iro=full_view),
    )
    # Recorded after rendering, which needs the loaded rows a commit would expire, and
    # committed before the page leaves: no submission is shown without its audit event.
    audit.record_many("response.viewed", staff=g.staff,
                      subjects=[invitation.response for invitation in sent],
                      full_view=full_view)
    db.session.commit()
    return page, status


@bp.get("/reviews/<int:review_id>")
@staff_required()
def review(review_id: int):
    found = caseload.review_for(g.staff, review_id)
    if found is None:
        abort(404)
    return _review_page(found, _invitation_form(language=found.child.preferred_language))


@bp.post("/concerns/<int:concern_id>/acknowledge")
@staff_required(StaffRole.IRO)
def acknowledge_concern(concern_id: int):
    """The child's IRO records what they did; the concern is then closed. Anyone else: 404."""
    found = concerns.concern_for(g.staff, concern_id)
    if found is None:
        abort(404)
    review_id = found.response.invitation.review_id
    # Read by hand, so through the one cleaning step every form's fields go through.
    text = clean_text(request.form.get("action_taken", ""))
    try:
        concerns.acknowledge(found, text, staff=g.staff)
    except concerns.NotAcknowledged as problem:
        db.session.rollback()
        review = caseload.review_for(g.staff, review_id)
        return _review_page(review, _invitation_form(language=review.child.preferred_language),
                            400, ack_problem=(concern_id, str(problem)), ack_text=text)
    db.session.commit()
    return redirect(url_for("staff.review", review_id=review_id, _anchor="concerns"), code=303)


@bp.post("/reviews/<int:review_id>/invitations")
@staff_required()
def create_invitation(review_id: int):
    found = caseload.review_for(g.staff, review_id)
    if found is None or not may_invite(g.staff, found.child):
        abort(404)
    form = _invitation_form()
    if not form.validate_on_submit():
        return _review_page(found, form, 400)
    invitation, token = invitations.create_invitation(
        found,
        role=InviteeRole(form.role.data),
        purpose=InvitationPurpose(form.purpose.data),
        invitee_name=form.invitee_name.data.strip(),
        language=form.language.data,
        created_by=g.staff,
        days_after_review=current_app.config["INVITATION_DAYS_AFTER_REVIEW"],
    )
    code = invitations.issue_short_code(invitation, current_app.config["SECRET_KEY"])
    db.session.commit()
    return _link_page(invitation, token, code)


def _link_page(invitation, token: str, code: str):
    # Shown once, in this response: only hashes of the link and code are kept, so no page
    # can show them again. The letter is printed from this page.
    link = external_url("participation.open_link", token=token)
    return render_template(
        "staff/invitation_created.html", invitation=invitation, review=invitation.review,
        link=link, code=short_codes.formatted(code), role_labels=INVITEE_LABELS,
        purpose_labels=PURPOSE_LABELS,
        may_be_emailed=invitations.may_be_emailed(invitation, utcnow()),
        letter=letters.render_letter(invitation, link, code),
        letter_language=served_language(invitation.language).code)


def _my_invitation(invitation_id: int):
    invitation = caseload.invitation_for(g.staff, invitation_id)
    if invitation is None or not may_invite(g.staff, invitation.review.child):
        abort(404)
    return invitation


@bp.post("/invitations/<int:invitation_id>/reissue")
@staff_required()
def reissue_invitation(invitation_id: int):
    invitation = _my_invitation(invitation_id)
    if invitation.sent_at is not None:
        abort(404)
    token, code = invitations.reissue(invitation, g.staff, current_app.config["SECRET_KEY"],
                                      utcnow())
    db.session.commit()
    return _link_page(invitation, token, code)


@bp.post("/invitations/<int:invitation_id>/handed-over")
@staff_required()
def hand_over_invitation(invitation_id: int):
    invitation = _my_invitation(invitation_id)
    invitations.mark_handed_over(invitation, g.staff, utcnow())
    db.session.commit()
    return redirect(url_for("staff.review", review_id=invitation.review_id), code=303)


@bp.post("/invitations/<int:invitation_id>/revoke")
@staff_required()
def revoke_invitation(invitation_id: int):
    invitation = _my_invitation(invitation_id)
    invitations.revoke(invitation, g.staff, utcnow())
    db.session.commit()
    return redirect(url_for("staff.review", review_id=invitation.review_id), code=303)


def _signed_in_staff() -> str:
    return f"staff-{g.staff.id}"


@bp.route("/invitations/<int:invitation_id>/email", methods=["GET", "POST"])
@staff_required(StaffRole.IRO)
@limiter.limit(EMAIL_RATE, methods=["POST"], key_func=_signed_in_staff)
def email_invitation(invitation_id: int):
    """Email an adult a new link, through the outbox: the page never waits on mail."""
    invitation = _my_invitation(invitation_id)
    now = utcnow()
    if not invitations.may_be_emailed(invitation, now):
        abort(404)
    form = InvitationEmailForm()
    if form.validate_on_submit():
        invitations.email_invitation(invitation, form.email.data, g.staff, now)
        db.session.commit()
        return redirect(url_for("staff.review", review_id=invitation.review_id,
                                _anchor="invitations"), code=303)
    return render_template(
        "staff/email_invitation.html", form=form, invitation=invitation,
        review=invitation.review, role_labels=INVITEE_LABELS,
        language=served_language(invitation.language),
        had_letter=invitation.short_code_hash is not None,
    ), 400 if form.errors else 200
