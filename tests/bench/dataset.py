"""Seed the bench's synthetic collaborative once per scale and reuse it on later runs."""

import time

import sqlalchemy as sa

from maturity.collaboratives.models import Collaborative
from maturity.db import db
from maturity.tenancy import unscoped
from surveys.responses.models import Response, ResponseStatus
from surveys.rounds.models import Participation, Round
from surveys.synthetic import Scale, create_synthetic_collaborative
from tests.bench.context import Dataset


def dataset_name(scale: Scale) -> str:
    """The collaborative's name records the scale it was seeded at."""
    return (
        f"Bench {scale.members}x{scale.respondents}x{scale.items}x{scale.rounds} seed {scale.seed}"
    )


def reset_schema() -> None:
    """Drop every table (and whatever older code left) and create the current schema."""
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    db.create_all()


def schema_is_current() -> bool:
    """Whether every table and column of the models exists (code may have moved on since
    the data set was seeded; then it is seeded again)."""
    inspector = sa.inspect(db.engine)
    present = set(inspector.get_table_names())
    for table in db.metadata.sorted_tables:
        if table.name not in present:
            return False
        columns = {column["name"] for column in inspector.get_columns(table.name)}
        if not set(table.columns.keys()) <= columns:
            return False
    return True


def _submitted(round_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Response.id))
        .join(Participation, Participation.id == Response.participation_id)
        .where(Participation.round_id == round_id, Response.status == ResponseStatus.SUBMITTED)
    )


def _dataset_of(collaborative: Collaborative) -> Dataset:
    rounds = db.session.scalars(
        sa.select(Round).where(Round.collaborative_id == collaborative.id).order_by(Round.opens_at)
    ).all()
    return Dataset(
        collaborative_id=collaborative.id,
        collaborative_slug=collaborative.slug,
        round_ids=[r.id for r in rounds],
        round_references=[r.reference for r in rounds],
    )


def existing_dataset(scale: Scale) -> Dataset | None:
    """The data set seeded earlier at this scale, if it is complete."""
    collaborative = db.session.scalars(
        sa.select(Collaborative).where(Collaborative.name == dataset_name(scale))
    ).first()
    if collaborative is None:
        return None
    dataset = _dataset_of(collaborative)
    expected = scale.members * scale.respondents
    if len(dataset.round_ids) != scale.rounds or any(
        _submitted(round_id) != expected for round_id in dataset.round_ids
    ):
        return None
    return dataset


def prepare_dataset(scale: Scale, *, fresh: bool, say=print) -> Dataset:
    """Reuse the data set for ``scale`` or seed it into an empty schema."""
    with unscoped():
        if not fresh:
            try:
                dataset = existing_dataset(scale) if schema_is_current() else None
            except sa.exc.DBAPIError:
                db.session.rollback()
                dataset = None
            if dataset is not None:
                say(f"Data set: reusing {dataset_name(scale)}")
                return dataset
        db.session.remove()
        reset_schema()
        started = time.perf_counter()
        collaborative = create_synthetic_collaborative(scale, name=dataset_name(scale))
        db.session.commit()
        dataset = _dataset_of(collaborative)
        say(f"Data set: seeded {dataset_name(scale)} in {time.perf_counter() - started:.0f} s")
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        return dataset
