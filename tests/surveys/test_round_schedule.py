"""Rounds open and close at their scheduled times (run by the worker every minute)."""

from datetime import timedelta

from maturity.db import db, utcnow
from maturity.frameworks.services import install_default_framework
from surveys.jobs import open_and_close_rounds, rounds_due_to_change
from surveys.rounds.models import Round, RoundState
from surveys.rounds.services import create_round


def make_round(world, opens_in: timedelta, closes_in: timedelta, state: RoundState) -> Round:
    version = install_default_framework(world.collaborative)
    now = utcnow()
    round_ = create_round(
        world.collaborative,
        version,
        f"Round {state.value} {opens_in}",
        opens_at=now + opens_in,
        closes_at=now + closes_in,
        actor_id=None,
    )
    round_.state = state
    db.session.commit()
    return round_


def test_a_draft_round_opens_once_its_opening_time_has_passed(world):
    due = make_round(world, timedelta(minutes=-5), timedelta(days=10), RoundState.DRAFT)
    assert rounds_due_to_change() == [(due.id, RoundState.OPEN)]
    assert open_and_close_rounds() == 1
    db.session.expire_all()
    assert db.session.get(Round, due.id).state == RoundState.OPEN
    assert open_and_close_rounds() == 0, "nothing moves twice"


def test_an_open_round_closes_once_its_closing_time_has_passed(world):
    due = make_round(world, timedelta(days=-10), timedelta(minutes=-1), RoundState.OPEN)
    assert open_and_close_rounds() == 1
    db.session.expire_all()
    assert db.session.get(Round, due.id).state == RoundState.CLOSED


def test_rounds_before_their_times_are_left_alone(world):
    future = make_round(world, timedelta(days=1), timedelta(days=10), RoundState.DRAFT)
    running = make_round(world, timedelta(days=-1), timedelta(days=10), RoundState.OPEN)
    assert open_and_close_rounds() == 0
    db.session.expire_all()
    assert db.session.get(Round, future.id).state == RoundState.DRAFT
    assert db.session.get(Round, running.id).state == RoundState.OPEN
