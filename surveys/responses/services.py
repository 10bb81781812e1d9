"""Responses: starting one, finding it again from a link, saving answers, submitting."""

import logging
from datetime import datetime

import sqlalchemy as sa

from maturity.db import db, utcnow
from maturity.errors import DomainError
from maturity.frameworks.models import Item
from maturity.security import hash_token, new_token, token_matches
from surveys.invitations.models import Invitation, InvitationToken
from surveys.jobs import request_participation_results
from surveys.responses.models import Answer, Response, ResponseStatus
from surveys.results.scores import store_response_scores
from surveys.results.shape import shape_of
from surveys.rounds.models import Participation

log = logging.getLogger(__name__)


def coarse_now() -> datetime:
    """The current time to the hour: what anonymous responses record."""
    return utcnow().replace(minute=0, second=0, microsecond=0)


def _new_response(participation: Participation, **fields) -> tuple[Response, str]:
    token = new_token()
    response = Response(
        participation_id=participation.id,
        organisation_id=participation.organisation_id,
        resume_token_hash=hash_token(token),
        **fields,
    )
    db.session.add(response)
    db.session.flush()
    return response, token


def start_anonymous_response(participation: Participation) -> tuple[Response, str]:
    """Begin a response through the shareable link: no person, no address, coarse times."""
    now = coarse_now()
    return _new_response(participation, started_at=now, updated_at=now)


def start_account_response(participation: Participation, user_id: int) -> tuple[Response, str]:
    """Begin, or re-open with a fresh link, a signed-in respondent's response."""
    existing = db.session.scalars(
        sa.select(Response).where(
            Response.participation_id == participation.id, Response.user_id == user_id
        )
    ).first()
    if existing is None:
        return _new_response(participation, user_id=user_id)
    token = new_token()
    existing.resume_token_hash = hash_token(token)
    return existing, token


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation one of whose emailed links is ``token``."""
    row = db.session.scalars(
        sa.select(InvitationToken).where(InvitationToken.token_hash == hash_token(token))
    ).first()
    if row is None or not token_matches(token, row.token_hash):
        return None
    return row.invitation


def response_for_token(token: str, *, create: bool) -> Response | None:
    """The response a link opens: its own resume link, or a personal invitation's link.

    An invitation's response is started on first use only when ``create`` is true (a POST),
    so that following a link never changes anything by itself.
    """
    response = db.session.scalars(
        sa.select(Response).where(Response.resume_token_hash == hash_token(token))
    ).first()
    if response is not None:
        return response if token_matches(token, response.resume_token_hash) else None
    invitation = invitation_for_token(token)
    if invitation is None:
        return None
    response = db.session.scalars(
        sa.select(Response).where(Response.invitation_id == invitation.id)
    ).first()
    if response is None and create:
        response = Response(
            participation_id=invitation.participation_id,
            organisation_id=invitation.organisation_id,
            invitation_id=invitation.id,
            resume_token_hash=hash_token(token),
        )
        db.session.add(response)
        db.session.flush()
    return response


def answers_by_item(response: Response) -> dict[int, str]:
    """The response's answers, keyed by item id."""
    rows = db.session.execute(
        sa.select(Answer.item_id, Answer.value).where(Answer.response_id == response.id)
    )
    return {item_id: value for item_id, value in rows}


def _touch(response: Response) -> None:
    anonymous = response.user_id is None and response.invitation_id is None
    response.updated_at = coarse_now() if anonymous else utcnow()


def save_answers(
    response: Response, values: dict[int, str | None], section_key: str | None = None
) -> None:
    """Store the given answers (None clears one); a submitted response cannot change."""
    if response.is_submitted:
        raise DomainError("These answers have been submitted and can no longer change")
    existing = {a.item_id: a for a in response.answers}
    for item_id, value in values.items():
        answer = existing.get(item_id)
        if value is None or value == "":
            if answer is not None:
                response.answers.remove(answer)
        elif answer is None:
            response.answers.append(Answer(item_id=item_id, value=value))
        else:
            answer.value = value
    if section_key:
        response.last_section = section_key
    _touch(response)
    db.session.flush()


def missing_required(response: Response, items: list[Item]) -> list[Item]:
    """Required items of the survey that have no answer yet."""
    answered = answers_by_item(response)
    return [item for item in items if item.is_required and item.id not in answered]


def submit_response(response: Response, submission_key: str, items: list[Item]) -> bool:
    """Submit once: True if this call submitted it, False if it was already submitted.

    The status changes in one conditional UPDATE, so any number of simultaneous posts of the
    same response leave exactly one submission, and one bump of the member's answers version.
    The respondent's dimension scores are stored in the same transaction, and the member's
    results are queued once it commits.
    """
    missing = missing_required(response, items)
    if missing:
        raise DomainError(f"Answer '{missing[0].text}' before you submit")
    anonymous = response.user_id is None and response.invitation_id is None
    submitted_at = coarse_now() if anonymous else utcnow()
    changed = db.session.execute(
        sa.update(Response)
        .where(Response.id == response.id, Response.status == ResponseStatus.IN_PROGRESS)
        .values(
            status=ResponseStatus.SUBMITTED,
            submitted_at=submitted_at,
            updated_at=submitted_at,
            submission_key=submission_key,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        return False
    db.session.execute(
        sa.update(Participation)
        .where(Participation.id == response.participation_id)
        .values(answers_version=Participation.answers_version + 1)
        .execution_options(synchronize_session=False)
    )
    version = response.participation.round.framework_version
    store_response_scores(
        response.id, response.participation_id, answers_by_item(response), shape_of(version)
    )
    request_participation_results(response.participation_id)
    return True
