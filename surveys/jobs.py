"""The jobs that turn answers into results. Each takes ids, is idempotent and safe to retry.

A submission enqueues ``recompute_participation`` after it commits; that enqueues
``recompute_benchmarks`` for the round, which enqueues ``render_round_charts``
(``surveys.charts.jobs``). ``reconcile`` (run periodically by the worker)
queues again anything whose results are behind its answers, so work dropped while Redis
was unreachable, or lost with a killed worker, is caught up.
"""

import logging

import sqlalchemy as sa

from maturity.db import db, utcnow
from maturity.jobs.models import BackgroundTask, TaskStatus
from maturity.jobs.queue import enqueue_after_commit
from maturity.results.models import ALL_RESPONDENTS, DimensionResult, ParticipationResult
from maturity.tenancy import unscoped
from surveys.charts.jobs import request_round_charts
from surveys.results.compute import compute_participation
from surveys.results.inputs import load_round_inputs
from surveys.results.store import (
    replace_benchmarks,
    replace_participation_results,
    replace_results,
)
from surveys.rounds.models import Participation, Round, RoundState

log = logging.getLogger(__name__)


def request_participation_results(participation_id: int) -> None:
    """Queue a member's results once the current transaction commits (coalesced)."""
    enqueue_after_commit(
        recompute_participation,
        participation_id,
        job_id=f"recompute-participation-{participation_id}",
    )


def request_benchmarks(round_id: int) -> None:
    """Queue a round's benchmarks once the current transaction commits (coalesced)."""
    enqueue_after_commit(recompute_benchmarks, round_id, job_id=f"recompute-benchmarks-{round_id}")


def start_round_recompute(round_: Round, requested_by_id: int | None) -> BackgroundTask:
    """Queue a full recompute of a round with a progress record (shown as a progress bar).

    While one is still waiting or running, asking again returns that one: the queue would
    coalesce the second request into it anyway.
    """
    unfinished = db.session.scalars(
        sa.select(BackgroundTask).where(
            BackgroundTask.kind == "recompute_round",
            BackgroundTask.collaborative_id == round_.collaborative_id,
            BackgroundTask.status.in_([TaskStatus.QUEUED, TaskStatus.RUNNING]),
        )
    ).all()
    for task in unfinished:
        if task.result.get("round_id") == round_.id:
            return task
    task = BackgroundTask(
        kind="recompute_round",
        description=f"Recompute the results of {round_.name}",
        requested_by_id=requested_by_id,
        collaborative_id=round_.collaborative_id,
        result={"round_id": round_.id},
    )
    db.session.add(task)
    db.session.flush()
    enqueue_after_commit(recompute_round, round_.id, task.id, job_id=f"recompute-round-{round_.id}")
    return task


def request_round_results(round_id: int) -> None:
    """Queue recomputing every member of a round once the current transaction commits:
    one job, which asks for the round's benchmarks and charts once at its end (coalesced;
    its own id, so it never swallows a recompute that reports progress)."""
    enqueue_after_commit(recompute_round, round_id, job_id=f"recompute-round-{round_id}-all")


def request_later_rounds_results(round_: Round) -> None:
    """Queue recomputing the collaborative's later rounds (drafts have no results): their
    change since the last round may now compare with ``round_``, or may no longer."""
    later = db.session.scalars(
        sa.select(Round.id).where(
            Round.collaborative_id == round_.collaborative_id,
            Round.opens_at > round_.opens_at,
            Round.state != RoundState.DRAFT,
        )
    )
    for round_id in later:
        request_round_results(round_id)


def recompute_participation(participation_id: int) -> None:
    """Recompute one member's results for a round, then the round's benchmarks."""
    with unscoped():
        participation = db.session.get(Participation, participation_id)
        if participation is None:
            return
        round_ = db.session.get(Round, participation.round_id)
        (inputs,) = load_round_inputs(round_, [participation_id])
        replace_participation_results(inputs, compute_participation(inputs))
        request_benchmarks(round_.id)
        db.session.commit()
        db.session.refresh(participation)
        if participation.answers_version > inputs.answers_version:
            request_participation_results(participation_id)
            db.session.commit()


def recompute_benchmarks(round_id: int) -> None:
    """Recompute a round's benchmarks and ranks from its members' stored results."""
    with unscoped():
        round_ = db.session.get(Round, round_id)
        if round_ is None:
            return
        replace_benchmarks(round_id, round_.collaborative_id)
        request_round_charts(round_id)
        db.session.commit()


def _progress(task_id: int | None, done: int, total: int, status: TaskStatus) -> None:
    if task_id is None:
        return
    task = db.session.get(BackgroundTask, task_id)
    if task is None:
        return
    task.done, task.total, task.status = done, total, status
    if status in (TaskStatus.FINISHED, TaskStatus.FAILED):
        task.finished_at = utcnow()


BATCH = 50


def recompute_round(round_id: int, task_id: int | None = None) -> None:
    """Recompute every member of a round and its benchmarks, reporting progress.

    The whole round's inputs are read at once, in set-based queries grouped by the database
    (a national round's answers are counted there, never loaded row by row); members are
    then computed and written a batch at a time, each batch committed with the progress.
    """
    with unscoped():
        round_ = db.session.get(Round, round_id)
        if round_ is None:
            return
        members = db.session.scalar(
            sa.select(sa.func.count(Participation.id)).where(Participation.round_id == round_id)
        )
        total = members + 1
        _progress(task_id, 0, total, TaskStatus.RUNNING)
        db.session.commit()
        every_member = load_round_inputs(round_)
        for start in range(0, len(every_member), BATCH):
            batch = every_member[start : start + BATCH]
            replace_results([(inputs, compute_participation(inputs)) for inputs in batch])
            _progress(task_id, min(start + BATCH, members), total, TaskStatus.RUNNING)
            db.session.commit()
        replace_benchmarks(round_id, round_.collaborative_id)
        request_round_charts(round_id)
        _progress(task_id, total, total, TaskStatus.FINISHED)
        db.session.commit()


def stale_participation_ids() -> list[int]:
    """Members whose results are behind their answers (or missing though answered)."""
    with unscoped():
        return list(
            db.session.scalars(
                sa.select(Participation.id)
                .outerjoin(
                    ParticipationResult, ParticipationResult.participation_id == Participation.id
                )
                .where(
                    Participation.answers_version
                    > sa.func.coalesce(ParticipationResult.computed_from_version, 0)
                )
            )
        )


def stale_benchmark_round_ids() -> list[int]:
    """Rounds whose benchmarks miss a member's latest results (a reportable member's
    figures have no rank yet): their benchmark job was coalesced away or lost."""
    with unscoped():
        return list(
            db.session.scalars(
                sa.select(DimensionResult.round_id)
                .where(
                    DimensionResult.segment == ALL_RESPONDENTS,
                    DimensionResult.suppressed.is_(False),
                    DimensionResult.rank.is_(None),
                )
                .distinct()
            )
        )


def reconcile() -> int:
    """Queue results for every member that is behind, and benchmarks for every round that
    is behind its members; return how many members were queued."""
    stale = stale_participation_ids()
    for participation_id in stale:
        request_participation_results(participation_id)
    for round_id in stale_benchmark_round_ids():
        request_benchmarks(round_id)
    db.session.commit()
    if stale:
        log.info("Reconcile queued results for %d participations", len(stale))
    return len(stale)


def rounds_due_to_change(now=None) -> list[tuple[int, RoundState]]:
    """Rounds whose scheduled opening or closing time has passed."""
    now = now or utcnow()
    with unscoped():
        due_open = db.session.scalars(
            sa.select(Round.id).where(
                Round.state == RoundState.DRAFT, Round.opens_at <= now, Round.closes_at > now
            )
        ).all()
        due_close = db.session.scalars(
            sa.select(Round.id).where(Round.state == RoundState.OPEN, Round.closes_at <= now)
        ).all()
    return [(rid, RoundState.OPEN) for rid in due_open] + [
        (rid, RoundState.CLOSED) for rid in due_close
    ]


def open_and_close_rounds() -> int:
    """Open and close rounds whose scheduled times have passed; return how many moved."""
    from surveys.rounds.services import change_state

    moved = 0
    for round_id, state in rounds_due_to_change():
        with unscoped():
            round_ = db.session.get(Round, round_id)
            change_state(round_, state, actor_id=None)
            if state == RoundState.CLOSED:
                for participation in round_.participations:
                    request_participation_results(participation.id)
        moved += 1
    db.session.commit()
    return moved


def run_scheduled_work() -> None:
    """What the worker does every minute: the round schedule, then catching up results."""
    open_and_close_rounds()
    reconcile()
