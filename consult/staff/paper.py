"""Typing in a paper booklet's answers for one invited person, all on one page."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from consult import caseload, paper_booklets, submissions
from consult.models import InvitationPurpose, ReviewStatus, StaffRole, ViewsChannel, utcnow
from consult.staff import bp
from consult.staff.access import may_record_meeting, staff_required
from consult.submissions import SaveOutcome
from consult.vocabulary import CHANNEL_LABELS, CONSULTED_LABELS, INVITEE_LABELS, consulted_role_of


def _booklet_page(invitation, booklet, *, answers=None, errors=None, problem=None,
                  idempotency_key=None, status=200):
    role = (consulted_role_of(invitation.role)
            if invitation.purpose is InvitationPurpose.VIEWS else None)
    return render_template(
        "staff/paper_booklet.html", invitation=invitation, review=invitation.review,
        booklet=booklet, answers=answers or {}, errors=errors or {}, problem=problem,
        idempotency_key=idempotency_key or submissions.new_idempotency_key(),
        role_labels=INVITEE_LABELS, already_in=invitation.sent_at is not None,
        counted_as=f"{CONSULTED_LABELS[role]}: {CHANNEL_LABELS[ViewsChannel.PAPER]}"
        if role else None,
    ), status


@bp.route("/invitations/<int:invitation_id>/paper", methods=["GET", "POST"])
@staff_required(StaffRole.IRO)
def type_in_paper(invitation_id: int):
    invitation = caseload.invitation_for(g.staff, invitation_id)
    if (invitation is None or not may_record_meeting(g.staff, invitation.review.child)
            or invitation.review.status is ReviewStatus.CANCELLED):
        abort(404)
    booklet = paper_booklets.booklet_for(invitation)
    if request.method == "GET":
        return _booklet_page(invitation, booklet)
    idempotency_key = submissions.usable_idempotency_key(request.form.get("idempotency_key"))
    if submissions.sent_with_key(invitation, idempotency_key):
        return _to_review(invitation)
    reading = paper_booklets.read(booklet, MultiDict(request.form))
    if reading.errors:
        return _booklet_page(invitation, booklet, answers=reading.answers, errors=reading.errors,
                             idempotency_key=idempotency_key, status=400)
    outcome = paper_booklets.save(invitation, booklet, reading.answers, by=g.staff,
                                  idempotency_key=idempotency_key, now=utcnow())
    if outcome is SaveOutcome.SAVED or (outcome is SaveOutcome.ALREADY_SENT
                                        and submissions.sent_with_key(invitation,
                                                                      idempotency_key)):
        return _to_review(invitation)
    already_in = outcome is SaveOutcome.ALREADY_SENT
    return _booklet_page(
        invitation, booklet, answers=reading.answers, idempotency_key=idempotency_key,
        problem=paper_booklets.ALREADY_IN if already_in else paper_booklets.NOT_SAVED,
        status=409 if already_in else 503)


def _to_review(invitation):
    return redirect(url_for("staff.review", review_id=invitation.review_id,
                            _anchor="views-received"), code=303)
