"""P3: freshness. Respondents submit at a sustained rate (20 a second by default) through
the real service (``submit_response``, committed, its job queued on Redis after commit);
one real worker (`flask --app wsgi worker`) aggregates. For each submission we time how
long until that member's results are current (the rule of ``results_are_current``: stored
results computed from at least the answers version the submission created).

The submissions go into the measured round, spread over its members; afterwards they are
deleted and the round recomputed, so the data set is as it was.
"""

import math
import os
import random
import signal
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field

import sqlalchemy as sa
from redis import Redis
from rq import Worker

from maturity.app import create_app
from maturity.db import db
from maturity.frameworks.models import Item
from maturity.security import hash_token, new_token
from maturity.tenancy import unscoped
from surveys.jobs import recompute_round, stale_benchmark_round_ids, stale_participation_ids
from surveys.responses.models import Answer, Response
from surveys.responses.services import submit_response
from surveys.results.status import computed_versions, is_current
from surveys.rounds.models import Participation, Round
from tests.bench.context import ROOT, BenchContext
from tests.bench.outcome import Outcome

TARGET_P95_SECONDS = 2.0
SETTLE_SECONDS = 60.0
POLL_SECONDS = 0.01
SUBMITTERS = 4
BENCH_MARK = "bench-freshness"


@dataclass
class Submission:
    """One submitted response: its member, the answers version it made, when it was sent."""

    participation_id: int
    version: int
    sent_at: float
    fresh_at: float | None = None


@dataclass
class Watch:
    """Submissions waiting for fresh results, shared by the submitter and the poller."""

    pending: list[Submission] = field(default_factory=list)
    done: list[Submission] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)


def _catch_up(context: BenchContext) -> None:
    """Bring every round's results up to date, so the worker starts with nothing behind."""
    with context.app.app_context(), unscoped():
        behind = stale_participation_ids()
        round_ids = set(stale_benchmark_round_ids()) | set(
            db.session.scalars(
                sa.select(Participation.round_id).where(Participation.id.in_(behind))
            )
        )
    for round_id in sorted(round_ids):
        with context.app.app_context():
            recompute_round(round_id)


def _survey_item_ids(round_: Round) -> list[int]:
    return [item.id for item in round_.framework_version.items]


def _prepare_responses(context: BenchContext, count: int) -> list[int]:
    """In-progress responses with every item answered, spread over the round's members."""
    rng = random.Random(context.scale.seed)
    with context.app.app_context(), unscoped():
        round_ = db.session.get(Round, context.dataset.latest_round_id)
        participations = db.session.scalars(
            sa.select(Participation).where(Participation.round_id == round_.id)
        ).all()
        items = [i for i in round_.framework_version.items if i.item_type.value == "level"]
        likert = [i for i in round_.framework_version.items if i.item_type.value == "likert"]
        ids = []
        for _ in range(count):
            member = rng.choice(participations)
            response = Response(
                participation_id=member.id,
                organisation_id=member.organisation_id,
                resume_token_hash=hash_token(new_token()),
            )
            db.session.add(response)
            db.session.flush()
            ids.append(response.id)
            answers = [(i.id, str(rng.randint(1, 4))) for i in items]
            answers += [(i.id, str(rng.randint(1, 5))) for i in likert]
            db.session.execute(
                sa.insert(Answer),
                [{"response_id": response.id, "item_id": i, "value": v} for i, v in answers],
            )
        db.session.commit()
        return ids


def _start_worker(context: BenchContext) -> subprocess.Popen:
    redis = Redis.from_url(context.redis_url)
    redis.flushdb()  # the bench's own Redis index: nothing left from an earlier run
    # Charts off: no chart freshness check exists yet, so P3 measures results only, and
    # a single worker drawing a national round's charts would hold the results up.
    worker = subprocess.Popen(
        context.flask_command("worker", "--every", "3600"),
        cwd=ROOT,
        env={**context.flask_env(with_redis=True), "RENDER_CHARTS": "false"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not Worker.all(connection=redis):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the worker did not start")
        time.sleep(0.1)
    return worker


def _stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.kill(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()


def _poll(app, watch: Watch) -> None:
    """Mark submissions whose member's results have become current."""
    with app.app_context(), unscoped():
        while not watch.stop.is_set():
            with watch.lock:
                waiting = list(watch.pending)
            if waiting:
                versions = computed_versions(sorted({s.participation_id for s in waiting}))
                db.session.rollback()  # a fresh snapshot next time
                now = time.perf_counter()
                with watch.lock:
                    for submission in waiting:
                        if is_current(versions[submission.participation_id], submission.version):
                            submission.fresh_at = now
                            watch.pending.remove(submission)
                            watch.done.append(submission)
            time.sleep(POLL_SECONDS)


def _submit_one(response_id: int, items: list[Item], watch: Watch) -> None:
    response = db.session.get(Response, response_id)
    sent_at = time.perf_counter()
    submit_response(response, f"{BENCH_MARK}-{response_id}", items)
    # Read before committing: the submission's UPDATE holds the member's row, so this is
    # the version this submission made, whatever other submitters do.
    version = db.session.scalar(
        sa.select(Participation.answers_version).where(
            Participation.id == response.participation_id
        )
    )
    db.session.commit()  # the job is queued on Redis as this commits
    with watch.lock:
        watch.pending.append(Submission(response.participation_id, version, sent_at))
    db.session.remove()


def _submit_share(app, item_ids: list[int], schedule: list[tuple[float, int]], watch: Watch):
    """Submit this thread's responses, each at its due time."""
    with app.app_context(), unscoped():
        for due, response_id in schedule:
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            items = db.session.scalars(sa.select(Item).where(Item.id.in_(item_ids))).all()
            _submit_one(response_id, items, watch)


def _submit_all(app, context: BenchContext, response_ids: list[int], watch: Watch) -> float:
    """Submit at the set rate from a few threads (one web request each, as respondents
    would); return the rate achieved."""
    with app.app_context(), unscoped():
        item_ids = _survey_item_ids(db.session.get(Round, context.dataset.latest_round_id))
        db.session.remove()
    started = time.perf_counter() + 0.5
    rate = context.options["rate"]
    schedule = [(started + n / rate, rid) for n, rid in enumerate(response_ids)]
    threads = [
        threading.Thread(target=_submit_share, args=(app, item_ids, schedule[i::SUBMITTERS], watch))
        for i in range(SUBMITTERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return len(response_ids) / elapsed if elapsed > 0 else math.inf


def _wait_until_fresh(watch: Watch) -> None:
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        with watch.lock:
            if not watch.pending:
                return
        time.sleep(0.05)


def _restore(context: BenchContext, response_ids: list[int], versions: dict[int, int]) -> None:
    """Delete the bench's submissions, put the members' versions back and recompute."""
    with context.app.app_context(), unscoped():
        db.session.execute(sa.delete(Response).where(Response.id.in_(response_ids)))
        for participation_id, version in versions.items():
            db.session.execute(
                sa.update(Participation)
                .where(Participation.id == participation_id)
                .values(answers_version=version)
            )
        db.session.commit()
        recompute_round(context.dataset.latest_round_id)


def _answers_versions(context: BenchContext) -> dict[int, int]:
    with context.app.app_context(), unscoped():
        rows = db.session.execute(
            sa.select(Participation.id, Participation.answers_version).where(
                Participation.round_id == context.dataset.latest_round_id
            )
        )
        return dict(rows.all())


def _percentile(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


def measure(context: BenchContext) -> Outcome:
    """Submit for the set duration at the set rate; report p50 and p95 of freshness."""
    _catch_up(context)
    versions = _answers_versions(context)
    count = max(1, round(context.options["rate"] * context.options["freshness_seconds"]))
    response_ids = _prepare_responses(context, count)
    submitting_app = create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=context.database_url,
        REDIS_URL=context.redis_url,
        RENDER_CHARTS=False,
    )
    watch = Watch()
    worker = _start_worker(context)
    poller = threading.Thread(target=_poll, args=(submitting_app, watch), daemon=True)
    poller.start()
    try:
        achieved = _submit_all(submitting_app, context, response_ids, watch)
        _wait_until_fresh(watch)
    finally:
        watch.stop.set()
        poller.join(timeout=10)
        _stop_worker(worker)
        _restore(context, response_ids, versions)
    latencies = [s.fresh_at - s.sent_at for s in watch.done]
    late = len(watch.pending)
    if not latencies:
        raise RuntimeError(f"no submission's results became current within {SETTLE_SECONDS} s")
    p50, p95 = _percentile(latencies, 50), _percentile(latencies, 95)
    return Outcome(
        measure="P3",
        what=(
            f"freshness, submission → member's results current, p95 of {len(response_ids)} "
            f"at {achieved:.1f}/s, one worker (results only, charts not drawn: "
            "no chart freshness check exists yet)"
        ),
        figure=p95,
        unit="s",
        target=f"p95 < {TARGET_P95_SECONDS:g} s",
        met=p95 < TARGET_P95_SECONDS and late == 0,
        details=f"p50 {p50:.3f} s, max {max(latencies):.3f} s, not current after "
        f"{SETTLE_SECONDS:g} s: {late}",
    )
