"""UK GDPR duties over one child's data: export it all, erase it all, and delete it on time.

Plain functions over the database session; the staff pages and the `retention` command
call them, and each is audited (counts only, never content).

Erasure and retention find what depends on a record from the schema itself (every foreign
key pointing at it), so a table added later is covered without changing this module.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, Table, delete, func, select
from sqlalchemy.orm import selectinload

from consult import audit
from consult.extensions import db
from consult.meeting_record import recorded_views
from consult.models import (
    Child,
    HelpRequest,
    Invitation,
    Response,
    Review,
    StaffUser,
)

# Rows about what people did, kept when the records they mention go (their foreign keys to
# those records are ON DELETE SET NULL, and they never hold anyone's words).
KEPT_TABLES = {"audit_events"}


def _dependents(table: Table) -> list:
    return [fk for other in db.metadata.sorted_tables if other.name not in KEPT_TABLES
            for fk in other.foreign_keys if fk.column.table is table]


def _delete_with_dependents(table: Table, ids: Select, counts: Counter) -> None:
    """Delete the rows of `table` whose id is in `ids`, and first everything that needs them.

    Rows the database would cascade are deleted here too, so the counts are complete.
    """
    for fk in _dependents(table):
        dependent = fk.parent.table
        if fk.ondelete == "SET NULL":
            continue  # the database clears the reference as the parent row goes
        if "id" in dependent.c:
            _delete_with_dependents(dependent, select(dependent.c.id).where(fk.parent.in_(ids)),
                                    counts)
        else:
            counts[dependent.name] += db.session.execute(
                delete(dependent).where(fk.parent.in_(ids))).rowcount
    counts[table.name] += db.session.execute(
        delete(table).where(table.c.id.in_(ids))).rowcount


def _invitation_ids(child: Child) -> Select:
    return select(Invitation.id).join(Invitation.review).where(Review.child_id == child.id)


def erase_child(child: Child, *, by: StaffUser | None) -> dict[str, int]:
    """Delete everything held about one child; returns how many rows went from each table."""
    counts: Counter = Counter()
    child_id = child.id
    db.session.expunge(child)
    _delete_with_dependents(
        HelpRequest.__table__,
        select(HelpRequest.id).where(HelpRequest.child_id == child_id), counts)
    _delete_with_dependents(Child.__table__, select(Child.id).where(Child.id == child_id), counts)
    db.session.expire_all()
    # The detached record still knows its table and id, which is all the event keeps.
    audit.record("child.erased", staff=by, subject=child,
                 **{f"deleted_{table}": number for table, number in sorted(counts.items())})
    return dict(counts)


@dataclass(frozen=True)
class RetentionDue:
    child: Child
    submissions: int
    help_requests: int


def retention_due(today: date, days_after_care: int) -> list[RetentionDue]:
    """Children who left care more than `days_after_care` days ago and still have submissions."""
    cutoff = today - timedelta(days=days_after_care)
    children = db.session.scalars(
        select(Child).where(Child.ceased_on.is_not(None), Child.ceased_on <= cutoff)
        .order_by(Child.ceased_on, Child.id))
    due = []
    for child in children:
        submissions = db.session.scalar(
            select(func.count()).select_from(Response)
            .where(Response.invitation_id.in_(_invitation_ids(child))))
        help_requests = db.session.scalar(
            select(func.count()).select_from(HelpRequest)
            .where((HelpRequest.child_id == child.id)
                   | HelpRequest.invitation_id.in_(_invitation_ids(child))))
        if submissions or help_requests:
            due.append(RetentionDue(child, submissions, help_requests))
    return due


def apply_retention(due: list[RetentionDue]) -> None:
    """Delete what each child sent and asked for; the review records and figures stay."""
    for item in due:
        counts: Counter = Counter()
        invitation_ids = _invitation_ids(item.child)
        _delete_with_dependents(
            HelpRequest.__table__,
            select(HelpRequest.id).where((HelpRequest.child_id == item.child.id)
                                         | HelpRequest.invitation_id.in_(invitation_ids)),
            counts)
        _delete_with_dependents(
            Response.__table__,
            select(Response.id).where(Response.invitation_id.in_(invitation_ids)), counts)
        audit.record("retention.deleted", subject=item.child,
                     submissions=item.submissions, help_requests=item.help_requests)
    db.session.expire_all()


def _when(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def child_export(child_id: int) -> dict | None:
    """Everything held about one child, as plain data (a subject access request)."""
    child = db.session.scalar(
        select(Child).where(Child.id == child_id).options(
            selectinload(Child.reviews).options(
                selectinload(Review.attendance), selectinload(Review.views_received),
                selectinload(Review.decisions), selectinload(Review.wish_answers),
                selectinload(Review.invitations).selectinload(Invitation.response).options(
                    selectinload(Response.answers), selectinload(Response.free_texts),
                    selectinload(Response.concerns)))))
    if child is None:
        return None
    requests = db.session.scalars(
        select(HelpRequest).where((HelpRequest.child_id == child.id)
                                  | HelpRequest.invitation_id.in_(_invitation_ids(child)))
        .options(selectinload(HelpRequest.events)).order_by(HelpRequest.id))
    return {
        "child": {
            "case_ref": child.case_ref, "preferred_name": child.preferred_name,
            "date_of_birth": _when(child.date_of_birth),
            "preferred_language": child.preferred_language,
            "looked_after_since": _when(child.looked_after_since),
            "ceased_on": _when(child.ceased_on),
            "unaccompanied_asylum_seeking": child.unaccompanied_asylum_seeking,
            "iro": child.iro.name,
            "social_worker": child.social_worker.name if child.social_worker else None,
        },
        "periods_of_care": [{
            "started_on": _when(period.started_on), "ended_on": _when(period.ended_on),
            "end_reason": period.end_reason, "short_breaks_only": period.short_breaks_only,
        } for period in child.periods],
        "reviews": [_review_export(review) for review in child.reviews],
        "help_requests": [{
            "kind": request.kind.value, "state": request.state.value,
            "source": request.source.value, "message": request.message,
            "contact_name": request.contact_name, "contact_detail": request.contact_detail,
            "created_at": _when(request.created_at),
            "acknowledged_at": _when(request.acknowledged_at),
            "closed_at": _when(request.closed_at),
            "history": [{"from": event.from_state.value if event.from_state else None,
                         "to": event.to_state.value, "at": _when(event.occurred_at)}
                        for event in request.events],
        } for request in requests],
    }


def _review_export(review: Review) -> dict:
    return {
        "type": review.review_type.value, "status": review.status.value,
        "due_on": _when(review.due_on), "scheduled_for": _when(review.scheduled_for),
        "held_on": _when(review.held_on),
        "participation_code": review.participation_code.value
        if review.participation_code else None,
        "attended": sorted(row.role.value for row in review.attendance),
        "views_received": {role.value: sorted(channel.value for channel in channels)
                           for role, channels in recorded_views(review).items()},
        "decisions": [{"what": decision.what, "who": decision.who,
                       "due_on": _when(decision.due_on), "done_on": _when(decision.done_on)}
                      for decision in review.decisions],
        "you_said_we_did": {answer.question_key: answer.answer
                            for answer in review.wish_answers},
        "invitations": [{
            "role": invitation.role.value, "purpose": invitation.purpose.value,
            "name": invitation.invitee_name, "language": invitation.language,
            "created_at": _when(invitation.created_at), "opened_at": _when(invitation.opened_at),
            "sent_at": _when(invitation.sent_at),
            "response": None if invitation.response is None else {
                "questionnaire": invitation.response.questionnaire_key,
                "version": invitation.response.questionnaire_version,
                "language": invitation.response.language,
                "typed_in_from_paper": invitation.response.from_paper,
                "answers": [{"question": answer.question_key, "value": answer.value}
                            for answer in invitation.response.answers],
                "own_words": [{"question": text.question_key, "text": text.text,
                               "only_for_iro": text.only_for_iro}
                              for text in invitation.response.free_texts],
                "concerns": [{"concern": concern.concern_key, "question": concern.question_key,
                              "raised_at": _when(concern.raised_at),
                              "acknowledged_at": _when(concern.acknowledged_at),
                              "action_taken": concern.action_taken}
                             for concern in invitation.response.concerns],
            },
        } for invitation in review.invitations],
    }
