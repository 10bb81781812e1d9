"""The synthetic data generator behind `make bench`: complete rounds, and a database left
ready for ordinary inserts."""

import sqlalchemy as sa

from maturity.db import db
from surveys.responses.models import Answer, Response, ResponseScore, ResponseStatus
from surveys.responses.services import start_anonymous_response
from surveys.rounds.models import Participation, Round
from surveys.synthetic import Scale, create_synthetic_collaborative

SCALE = Scale(members=3, respondents=4, items=12, rounds=2, seed=7)


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_every_member_gets_its_submitted_responses_with_answers_and_scores(app):
    collaborative = create_synthetic_collaborative(SCALE)
    db.session.commit()
    rounds = db.session.scalars(sa.select(Round).where(Round.collaborative_id == collaborative.id))
    assert len(rounds.all()) == 2
    responses = SCALE.rounds * SCALE.members * SCALE.respondents
    assert _count(Response, Response.status == ResponseStatus.SUBMITTED) == responses
    assert _count(Answer) == responses * SCALE.items
    # 12 items make two dimensions; each respondent answers every item, so scores both.
    assert _count(ResponseScore) == responses * 2
    versions = db.session.scalars(sa.select(Participation.answers_version)).all()
    assert versions == [SCALE.respondents] * SCALE.rounds * SCALE.members


def test_a_response_created_after_loading_gets_a_fresh_id(app):
    """COPY loads responses with explicit ids; the id sequence must move past them, or the
    next ordinary insert collides with a loaded row (PostgreSQL)."""
    create_synthetic_collaborative(SCALE)
    db.session.commit()
    loaded_max = db.session.scalar(sa.select(sa.func.max(Response.id)))
    participation = db.session.scalars(sa.select(Participation).order_by(Participation.id)).first()
    response, _token = start_anonymous_response(participation)
    db.session.commit()
    assert response.id > loaded_max
