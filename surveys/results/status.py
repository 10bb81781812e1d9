"""Whether a member's results reflect all of its submitted answers."""

import sqlalchemy as sa

from maturity.db import db
from maturity.results.models import ParticipationResult
from surveys.rounds.models import Participation


def results_are_current(participation: Participation) -> bool:
    """True when the stored results were computed from the member's latest answers."""
    computed = db.session.scalar(
        sa.select(ParticipationResult.computed_from_version).where(
            ParticipationResult.participation_id == participation.id
        )
    )
    return (computed or 0) >= participation.answers_version
