"""Whether a member's results reflect all of its submitted answers."""

from collections.abc import Sequence

import sqlalchemy as sa

from maturity.db import db
from maturity.results.models import ParticipationResult
from surveys.rounds.models import Participation


def computed_versions(participation_ids: list[int]) -> dict[int, int]:
    """The answers version each member's stored results were computed from (0 if none)."""
    rows = db.session.execute(
        sa.select(
            ParticipationResult.participation_id, ParticipationResult.computed_from_version
        ).where(ParticipationResult.participation_id.in_(participation_ids))
    )
    versions = dict(rows.all())
    return {pid: versions.get(pid) or 0 for pid in participation_ids}


def is_current(computed_from_version: int, answers_version: int) -> bool:
    """Results computed from this answers version or a later one are current."""
    return computed_from_version >= answers_version


def results_are_current(participation: Participation) -> bool:
    """True when the stored results were computed from the member's latest answers."""
    computed = computed_versions([participation.id])[participation.id]
    return is_current(computed, participation.answers_version)


def participations_behind(participations: Sequence[Participation]) -> set[int]:
    """The ids of the members whose stored results are behind their answers (one query)."""
    computed = computed_versions([p.id for p in participations])
    return {p.id for p in participations if not is_current(computed[p.id], p.answers_version)}
