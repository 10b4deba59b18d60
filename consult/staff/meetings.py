"""Before and after the meeting: the pre-meeting view of everyone's views, and its record."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, url_for

from consult import audit, caseload, invitations, meeting_record
from consult.extensions import db
from consult.meeting_record import MeetingRecord
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
from consult.staff.forms import RecordMeetingForm
from consult.staff.views import concerns_panel, sent_invitations
from consult.vocabulary import CONSULTED_LABELS, INVITEE_LABELS, PN_MEANINGS

# The child's answers about their meeting, by question key, in the order the IRO needs them.
# Keys a questionnaire does not have are simply absent from the page.
MEETING_PREFERENCE_KEYS = (
    "attend_meeting", "co_chair", "want_there", "not_want_there", "meeting_place",
    "meeting_time", "want_advocate", "need_interpreter", "interpreter_language",
    "tell_in_person",
)
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


def _fill_from_review(form: RecordMeetingForm, review) -> None:
    suggested = meeting_record.suggested_views(review)
    for role, field_name in VIEWS_FIELDS.items():
        if suggested[role] is not None:
            getattr(form, field_name).data = suggested[role].value
    if review.status is ReviewStatus.HELD:
        form.held_on.data = review.held_on
        form.attended.data = [row.role.value for row in review.attendance]
        if review.participation_code:
            form.participation_code.data = review.participation_code.value
        form.decisions_sent_on.data = review.decisions_sent_on
        form.record_sent_on.data = review.record_sent_on
    else:
        form.held_on.data = min(review.meeting_date, today())


@bp.route("/reviews/<int:review_id>/record", methods=["GET", "POST"])
@staff_required(StaffRole.IRO)
def record_meeting(review_id: int):
    review = caseload.review_record_for(g.staff, review_id)
    if (review is None or not may_record_meeting(g.staff, review.child)
            or review.status is ReviewStatus.CANCELLED):
        abort(404)
    form = RecordMeetingForm()
    if not form.is_submitted():
        _fill_from_review(form, review)
    elif form.validate_on_submit():
        record = MeetingRecord(
            held_on=form.held_on.data,
            attended=frozenset(AttendeeRole(role) for role in form.attended.data),
            participation_code=ParticipationCode(form.participation_code.data),
            views={role: ViewsChannel(getattr(form, field_name).data)
                   for role, field_name in VIEWS_FIELDS.items()},
            decisions_sent_on=form.decisions_sent_on.data,
            record_sent_on=form.record_sent_on.data)
        problems = meeting_record.problems(review, record, today())
        for field_name, message in problems.items():
            getattr(form, field_name).errors.append(message)
        if not problems:
            meeting_record.record_meeting(review, record, g.staff)
            db.session.commit()
            return redirect(url_for("staff.review", review_id=review.id), code=303)
    return render_template(
        "staff/record_meeting.html", form=form, review=review, pn_meanings=PN_MEANINGS,
        consulted_labels=CONSULTED_LABELS, views_fields=VIEWS_FIELDS,
        sent_online=meeting_record.sent_online(review)), 400 if form.errors else 200
