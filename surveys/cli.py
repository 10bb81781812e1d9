"""Collection commands: flask --app wsgi seed-demo …"""

import time

import click
import sqlalchemy as sa
from flask import Flask, current_app
from redis import Redis

from maturity.collaboratives.models import Collaborative
from maturity.db import db
from maturity.demo import (
    DEMO_COLLABORATIVE,
    demo_is_seeded,
    demo_sign_ins,
    seed_people_and_places,
)
from maturity.extensions import get_redis
from maturity.jobs.worker import run_worker
from surveys.charts.jobs import render_round_charts
from surveys.demo import seed_rounds
from surveys.jobs import recompute_round, run_scheduled_work
from surveys.responses.models import Response, ResponseStatus
from surveys.rounds.models import Participation, Round
from surveys.rounds.services import round_by_reference


def _print_sign_ins() -> None:
    sign_ins = demo_sign_ins()
    click.echo(f"Demo sign-ins (password for all: {sign_ins.password}):")
    for role, email in sign_ins.accounts:
        click.echo(f"  {role:<55} {email}")


@click.command("seed-demo")
@click.option("--seed", default=1, show_default=True, help="Seed for the generated data.")
def seed_demo(seed: int) -> None:
    """Create the demo collaborative once; a second run changes nothing."""
    if demo_is_seeded():
        click.echo("The demo data is already there; nothing changed.")
    else:
        councils = seed_people_and_places(seed)
        partnership = db.session.scalars(
            sa.select(Collaborative).where(Collaborative.name == DEMO_COLLABORATIVE)
        ).one()
        seed_rounds(partnership, councils, seed)
        db.session.commit()
        click.echo("Demo data created.")
    _print_sign_ins()


def _response_counts() -> dict[int, tuple[int, int]]:
    rows = db.session.execute(
        sa.select(
            Participation.round_id,
            sa.func.count(Response.id),
            sa.func.count(Response.id).filter(Response.status == ResponseStatus.SUBMITTED),
        )
        .join(Response, Response.participation_id == Participation.id)
        .group_by(Participation.round_id)
    )
    return {round_id: (started, submitted) for round_id, started, submitted in rows}


@click.command("rounds")
def list_rounds() -> None:
    """Every round as COLLABORATIVE/ROUND with its state and response counts."""
    counts = _response_counts()
    rounds = db.session.scalars(
        sa.select(Round).join(Round.collaborative).order_by(Collaborative.slug, Round.opens_at)
    ).all()
    if not rounds:
        click.echo("No rounds yet.")
    for round_ in rounds:
        started, submitted = counts.get(round_.id, (0, 0))
        click.echo(
            f"{round_.reference}\t{round_.state.value}\t{submitted} submitted\t"
            f"{started - submitted} in progress"
        )


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--every", default=60, show_default=True, help="Seconds between schedule checks.")
def worker(burst: bool, every: int) -> None:
    """Run a background worker (RQ with its scheduler) for REDIS_URL."""
    if get_redis() is None:
        raise click.ClickException(
            "REDIS_URL is not set: without Redis, jobs run in the web process and no worker "
            "is needed."
        )
    # The worker blocks on Redis for minutes at a time: it needs a connection without the web
    # processes' short read timeout.
    redis = Redis.from_url(current_app.config["REDIS_URL"])
    if not burst:
        run_scheduled_work()
    run_worker(
        current_app._get_current_object(),
        redis,
        burst=burst,
        periodic=run_scheduled_work,
        every=every,
    )


@click.command("recompute")
@click.argument("reference", metavar="COLLABORATIVE/ROUND")
def recompute(reference: str) -> None:
    """Recompute every member's results and the benchmarks of a round, now."""
    round_ = round_by_reference(reference)
    if round_ is None:
        raise click.ClickException(f"No round {reference}; `flask --app wsgi rounds` lists them.")
    started = time.perf_counter()
    recompute_round(round_.id)
    click.echo(f"Recomputed {reference} in {time.perf_counter() - started:.1f} s.")


@click.command("draw-charts")
@click.argument("reference", required=False, metavar="[COLLABORATIVE/ROUND]")
def draw_charts(reference: str | None) -> None:
    """Draw the charts not drawn yet: of one round, or of every round, newest first."""
    if reference is None:
        round_ids = db.session.scalars(
            sa.select(Round.id).order_by(Round.opens_at.desc(), Round.id.desc())
        ).all()
    else:
        round_ = round_by_reference(reference)
        if round_ is None:
            raise click.ClickException(
                f"No round {reference}; `flask --app wsgi rounds` lists them."
            )
        round_ids = [round_.id]
    started = time.perf_counter()
    for round_id in round_ids:
        render_round_charts(round_id)
    click.echo(
        f"Charts of {len(round_ids)} round(s) drawn in {time.perf_counter() - started:.1f} s."
    )


def register_commands(app: Flask) -> None:
    """Add the collection commands to ``flask``."""
    for command in (seed_demo, list_rounds, worker, recompute, draw_charts):
        app.cli.add_command(command)
