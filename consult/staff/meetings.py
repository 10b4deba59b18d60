"""Before and after the meeting: the pre-meeting view of everyone's views, and its record."""

from __future__ import annotations

import re

from flask import abort, g, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from consult import audit, caseload, invitations, meeting_record
from consult.extensions import db
from consult.meeting_record import Decision, MeetingRecord
from consult.models import (
    AttendeeRole,
    ConsultedRole,
    InvitationPurpose,
    InviteeRole,
    ParticipationCode,
    ReviewStatus,
    StaffRole,
    ViewsChannel,
    utcnow,
)
from consult.questionnaires import reading
from consult.staff import bp
from consult.staff.access import may_read_only_for_iro, may_record_meeting, staff_required
from consult.staff.children import schedule_for, today
from consult.staff.forms import DECISION_ROWS, MAX_DECISION_ROWS, record_meeting_form
from consult.staff.views import concerns_panel, sent_invitations
from consult.vocabulary import CONSULTED_LABELS, INVITEE_LABELS, PN_MEANINGS

# The child's answers about their meeting, by question key, in the order the IRO needs them.
# Keys a questionnaire does not have are simply absent from the page.
MEETING_PREFERENCE_KEYS = (
    "attend_meeting", "co_chair", "want_there", "not_want_there", "meeting_place",
    "meeting_time", "want_advocate", "need_interpreter", "interpreter_language",
    "tell_in_person",
)
DECISION_FIELD = re.compile(r"decision_(\d+)_(what|who|due_on|done_on)")
VIEWS_FIELDS = {
    ConsultedRole.CHILD: "views_child",
    ConsultedRole.FOSTER_CARER: "views_foster_carer",
    ConsultedRole.PARENT_OR_FAMILY: "views_parent_or_family",
}


def _meeting_preferences(sent, prepare):
    """The child's own answers about the meeting, from the last before-the-review form the
    child sent (a feedback form after a review asks nothing about the next meeting)."""
    from_child = [invitation for invitation in sent if invitation.role is InviteeRole.CHILD
                  and invitation.purpose is InvitationPurpose.VIEWS]
    if not from_child:
        return []
    by_key = {shown.key: shown for shown in prepare(from_child[-1].response).answers
              if shown.answered}
    return [by_key[key] for key in MEETING_PREFERENCE_KEYS if key in by_key]


def _before_the_meeting(review_id: int, *, private: bool):
    """Everyone's views on one page. The meeting copy (to print or share; all a social worker
    gets) leaves out what is only for the IRO and what an adult marked not to be shared; the
    IRO's private copy has everything, with the concerns, and says so on every printed page."""
    review = caseload.review_for(g.staff, review_id)
    if review is None or (private and not may_read_only_for_iro(g.staff, review.child)):
        abort(404)
    sent = sent_invitations(review)
    now = utcnow()

    def prepare(response):
        return reading.prepare_submission(response, include_only_for_iro=private,
                                          for_meeting=not private)

    page = render_template(
        "staff/pre_meeting.html", review=review, sent=sent, private=private,
        may_see_private=may_read_only_for_iro(g.staff, review.child),
        preferences=_meeting_preferences(sent, prepare),
        requests=caseload.open_requests(review.child), planned=schedule_for(review.child),
        now=now, state_of=invitations.state_of, role_labels=INVITEE_LABELS,
        only_for_iro_visible=private, prepare_submission=prepare,
        **(concerns_panel(review, sent, now) if private else {}))
    audit.record_many("response.viewed", staff=g.staff,
                      subjects=[invitation.response for invitation in sent],
                      full_view=private, copy="private" if private else "meeting")
    db.session.commit()
    return page


@bp.get("/reviews/<int:review_id>/before-the-meeting")
@staff_required(StaffRole.IRO, StaffRole.SOCIAL_WORKER)
def pre_meeting(review_id: int):
    return _before_the_meeting(review_id, private=False)


@bp.get("/reviews/<int:review_id>/before-the-meeting/private")
@staff_required(StaffRole.IRO)
def private_copy(review_id: int):
    return _before_the_meeting(review_id, private=True)


def _fill_from_review(form, review) -> None:
    suggested = meeting_record.suggested_views(review)
    for role, field_name in VIEWS_FIELDS.items():
        getattr(form, field_name).data = [channel.value for channel in suggested[role]]
    if review.status is ReviewStatus.HELD:
        form.held_on.data = review.held_on
        form.attended.data = [row.role.value for row in review.attendance]
        if review.participation_code:
            form.participation_code.data = review.participation_code.value
        form.decisions_sent_on.data = review.decisions_sent_on
        form.record_sent_on.data = review.record_sent_on
    else:
        form.held_on.data = min(review.meeting_date, today())
    for row, decision in enumerate(review.decisions):
        for part in ("what", "who", "due_on", "done_on"):
            form[f"decision_{row}_{part}"].data = getattr(decision, part)
    for answer in review.wish_answers:
        if f"we_did_{answer.question_key}" in form:
            form[f"we_did_{answer.question_key}"].data = answer.answer


def _posted_rows() -> int:
    """How many decision rows the posted form had (a hidden field), within bounds."""
    posted = request.form.get("decision_rows", "")
    rows = int(posted) if posted.isdigit() and len(posted) <= 3 else DECISION_ROWS
    return max(1, min(rows, MAX_DECISION_ROWS))


def _without_row(formdata, removed: int, rows: int) -> MultiDict:
    """The posted form with decision row `removed` taken out and the rows after it moved up."""
    kept = MultiDict()
    for name, value in formdata.items(multi=True):
        match = DECISION_FIELD.fullmatch(name)
        if match is None or int(match[1]) < removed:
            kept.add(name, value)
        elif int(match[1]) > removed:
            kept.add(f"decision_{int(match[1]) - 1}_{match[2]}", value)
    kept.setlist("decision_rows", [str(rows - 1)])
    return kept


def _typed_decisions(form, rows: int) -> tuple[list[int], tuple[Decision, ...]]:
    """The decision rows with anything typed in them (their numbers, and as typed)."""
    numbers, decisions = [], []
    for row in range(rows):
        parts = {part: form[f"decision_{row}_{part}"].data
                 for part in ("what", "who", "due_on", "done_on")}
        if any(parts.values()):
            numbers.append(row)
            decisions.append(Decision(what=parts["what"] or "", who=parts["who"] or "",
                                      due_on=parts["due_on"], done_on=parts["done_on"]))
    return numbers, tuple(decisions)


@bp.route("/reviews/<int:review_id>/record", methods=["GET", "POST"])
@staff_required(StaffRole.IRO)
def record_meeting(review_id: int):
    review = caseload.review_record_for(g.staff, review_id)
    if (review is None or not may_record_meeting(g.staff, review.child)
            or review.status is ReviewStatus.CANCELLED):
        abort(404)
    wishes_from, wishes = meeting_record.child_wishes(review)
    wish_fields = tuple((wish.key, wish.question) for wish in wishes)
    if request.method == "GET":
        rows = max(DECISION_ROWS, len(review.decisions) + 1)
        form = record_meeting_form(min(rows, MAX_DECISION_ROWS), wish_fields)()
        _fill_from_review(form, review)
        return _record_page(form, review, wishes, wishes_from, rows)
    rows = _posted_rows()
    removed = request.form.get("remove_decision", "")
    if removed.isdigit() and int(removed) < rows and rows > 1:
        # Another row out, nothing saved: the page comes back with everything else typed.
        rows -= 1
        form = record_meeting_form(rows, wish_fields)(
            formdata=_without_row(request.form, int(removed), rows + 1))
        return _record_page(form, review, wishes, wishes_from, rows)
    if "add_decision" in request.form and rows < MAX_DECISION_ROWS:
        # One more empty row, nothing saved: the page comes back with everything typed.
        rows += 1
        form = record_meeting_form(rows, wish_fields)()
        return _record_page(form, review, wishes, wishes_from, rows)
    form = record_meeting_form(rows, wish_fields)()
    if form.validate_on_submit():
        numbers, decisions = _typed_decisions(form, rows)
        record = MeetingRecord(
            held_on=form.held_on.data,
            attended=frozenset(AttendeeRole(role) for role in form.attended.data),
            participation_code=ParticipationCode(form.participation_code.data),
            views={role: frozenset(ViewsChannel(channel)
                                   for channel in getattr(form, field_name).data)
                   for role, field_name in VIEWS_FIELDS.items()},
            decisions_sent_on=form.decisions_sent_on.data,
            record_sent_on=form.record_sent_on.data,
            decisions=decisions,
            wish_answers={key: form[f"we_did_{key}"].data or "" for key, _question in wish_fields})
        problems = meeting_record.problems(review, record, today())
        for field_name, message in problems.items():
            match = DECISION_FIELD.fullmatch(field_name)
            if match:  # the n-th decision typed is in the row it was typed in
                field_name = f"decision_{numbers[int(match[1])]}_{match[2]}"
            form[field_name].errors.append(message)
        if not problems:
            meeting_record.record_meeting(review, record, g.staff)
            db.session.commit()
            return redirect(url_for("staff.review", review_id=review.id), code=303)
    return _record_page(form, review, wishes, wishes_from, rows)


def _record_page(form, review, wishes, wishes_from, rows: int):
    if wishes:
        # The child's words are on the page: audited as every reading of them is.
        audit.record("response.viewed", staff=g.staff, subject=wishes_from,
                     full_view=False, copy="record")
        db.session.commit()
    return render_template(
        "staff/record_meeting.html", form=form, review=review, pn_meanings=PN_MEANINGS,
        consulted_labels=CONSULTED_LABELS, views_fields=VIEWS_FIELDS, wishes=wishes,
        decision_rows=rows, max_decision_rows=MAX_DECISION_ROWS,
        sent_online=meeting_record.sent_online(review)), 400 if form.errors else 200
