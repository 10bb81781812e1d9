"""Change since the last round compares with the latest earlier round that is closed or
published: never a draft, never a round still open (its answers are still coming in)."""

import random
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from maturity.db import db
from maturity.results.models import ALL_RESPONDENTS, DimensionResult
from maturity.tenancy import unscoped
from surveys import jobs
from surveys.results.inputs import load_round_inputs, previous_participations
from surveys.rounds.models import Round, RoundState
from surveys.rounds.services import change_state, create_round
from tests.surveys.export_support import add_submitted, compute_results
from tests.surveys.round_helpers import participation_of, published_version


def _round(world, name: str, month: int, state: RoundState, respondents: int) -> Round:
    round_ = create_round(
        world.collaborative,
        published_version(world.collaborative),
        name,
        opens_at=datetime(2027, month, 1, 9, tzinfo=UTC),
        closes_at=datetime(2027, month, 20, 9, tzinfo=UTC),
        actor_id=None,
    )
    round_.state = state
    db.session.flush()
    rng = random.Random(month)
    for participation in round_.participations:
        add_submitted(participation, respondents, rng)
    db.session.commit()
    return round_


@pytest.fixture
def three_rounds(world):
    """Closed January, then a middle round (its state set by each test), then July."""

    def make(middle_state: RoundState) -> tuple[Round, Round, Round]:
        first = _round(world, "January", 1, RoundState.CLOSED, 6)
        middle = _round(world, "April", 4, middle_state, 7)
        last = _round(world, "July", 7, RoundState.CLOSED, 8)
        return first, middle, last

    return make


@pytest.mark.parametrize("middle_state", [RoundState.DRAFT, RoundState.OPEN])
def test_the_change_baseline_skips_draft_and_open_rounds(world, three_rounds, middle_state):
    first, _middle, last = three_rounds(middle_state)
    baseline = previous_participations(last, [world.organisation.id])
    assert baseline[world.organisation.id][0] == participation_of(first, world.organisation).id
    # The stored change is worked out from January's scores, not April's.
    (inputs,) = load_round_inputs(last, [participation_of(last, world.organisation).id])
    january = load_round_inputs(first, [participation_of(first, world.organisation).id])[0]
    assert inputs.previous_scores and all(
        len(scores) == 6 for scores in inputs.previous_scores.values()
    )
    assert {key: sorted(scores) for key, scores in inputs.previous_scores.items()} == {
        key: sorted(january.scores.get(key, [])) for key in inputs.previous_scores
    }


@pytest.mark.parametrize("middle_state", [RoundState.CLOSED, RoundState.PUBLISHED])
def test_a_closed_or_published_earlier_round_is_the_baseline(world, three_rounds, middle_state):
    _first, middle, last = three_rounds(middle_state)
    baseline = previous_participations(last, [world.organisation.id])
    assert baseline[world.organisation.id][0] == participation_of(middle, world.organisation).id


def test_no_baseline_without_a_closed_earlier_round(world, three_rounds):
    first, middle, _last = three_rounds(RoundState.OPEN)
    first.state = RoundState.OPEN
    db.session.commit()
    assert previous_participations(middle, [world.organisation.id]) == {}
    compute_results(middle)
    with unscoped():
        changes = db.session.scalars(
            sa.select(DimensionResult.change_difference).where(
                DimensionResult.round_id == middle.id, DimensionResult.segment == ALL_RESPONDENTS
            )
        ).all()
    assert changes and all(change is None for change in changes)


def test_closing_or_reopening_an_earlier_round_recomputes_the_later_ones(
    monkeypatch, world, three_rounds
):
    first, middle, last = three_rounds(RoundState.OPEN)
    draft = _round(world, "October", 10, RoundState.DRAFT, 0)
    requested = []
    monkeypatch.setattr(jobs, "request_round_results", requested.append)
    change_state(middle, RoundState.CLOSED, actor_id=None)
    assert requested == [last.id]  # not the draft, not the earlier round
    change_state(middle, RoundState.PUBLISHED, actor_id=None)
    assert requested == [last.id]  # published is as good a baseline as closed
    requested.clear()
    change_state(first, RoundState.OPEN, actor_id=None)
    assert sorted(requested) == sorted([middle.id, last.id]) and draft.id not in requested
