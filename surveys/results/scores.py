"""Respondents' dimension scores, computed once when a response is submitted or imported."""

import sqlalchemy as sa

from maturity.db import db
from maturity.engine import respondent_dimension_scores
from surveys.responses.models import Answer, ResponseScore
from surveys.results.shape import FrameworkShape


def store_response_scores(
    response_id: int, participation_id: int, answers: dict[int, str], shape: FrameworkShape
) -> None:
    """Replace a response's stored dimension scores with ones computed from ``answers``."""
    db.session.execute(sa.delete(ResponseScore).where(ResponseScore.response_id == response_id))
    scores = respondent_dimension_scores(shape.scored_items, answers, shape.levels)
    db.session.add_all(
        ResponseScore(
            response_id=response_id,
            participation_id=participation_id,
            dimension_key=key,
            score=score,
        )
        for key, score in scores.items()
    )


def answers_of(response_id: int) -> dict[int, str]:
    """A response's answers by item id."""
    rows = db.session.execute(
        sa.select(Answer.item_id, Answer.value).where(Answer.response_id == response_id)
    )
    return dict(rows.all())
