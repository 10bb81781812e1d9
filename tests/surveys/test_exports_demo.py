"""Issue 6's "done when" on the demo data: for a demo round, the results export in all
three formats agrees with the results tables, and its respondent-level export imported
into a fresh round gives identical results."""

import io

import pytest
import sqlalchemy as sa

from maturity.collaboratives.models import Collaborative
from maturity.db import db
from maturity.demo import DEMO_COLLABORATIVE, seed_people_and_places
from maturity.exports.results import results_table
from maturity.exports.writers import Sheet, write_export
from maturity.organisations.models import Organisation
from maturity.results.models import OVERALL, DimensionResult, ParticipationResult
from surveys.demo import seed_rounds
from surveys.exports.importing import import_responses, read_csv
from surveys.exports.responses import responses_table
from surveys.rounds.models import Round
from tests.surveys.export_support import compute_results, fresh_round, result_figures
from tests.surveys.test_exports import parse


@pytest.fixture
def demo_round(app) -> Round:
    councils = seed_people_and_places(seed=11)
    partnership = db.session.scalars(
        sa.select(Collaborative).where(Collaborative.name == DEMO_COLLABORATIVE)
    ).one()
    seed_rounds(partnership, councils, seed=11)
    partnership.respondent_rows_export = True
    db.session.commit()
    spring = sa.select(Round).where(
        Round.collaborative_id == partnership.id, Round.slug == "spring-2026"
    )
    return db.session.scalars(spring).one()


def _file(fmt: str, headers, rows, name: str) -> bytes:
    out = io.BytesIO()
    write_export(fmt, [Sheet(name, headers, rows)], out)
    return out.getvalue()


def _stored(round_: Round) -> dict[tuple[str, str], tuple]:
    slugs = dict(db.session.execute(sa.select(Organisation.id, Organisation.slug)).all())
    stored = {}
    for row in db.session.scalars(
        sa.select(DimensionResult).where(
            DimensionResult.round_id == round_.id, DimensionResult.segment == "all"
        )
    ):
        stored[(slugs[row.organisation_id], row.dimension_key)] = (
            None if row.suppressed else row.n,
            row.mean,
            row.ci_low,
            row.ci_high,
            row.level,
            row.rank,
            row.change_difference,
        )
    for row in db.session.scalars(
        sa.select(ParticipationResult).where(ParticipationResult.round_id == round_.id)
    ):
        figures = (row.n_submitted, row.overall_mean, None, None, row.overall_level, None, None)
        stored[(slugs[row.organisation_id], OVERALL)] = (None,) * 7 if row.suppressed else figures
    return stored


def test_a_demo_round_exports_as_stored_and_round_trips(demo_round):
    stored = _stored(demo_round)
    for fmt in ("csv", "xlsx", "json"):
        headers, rows = results_table(demo_round)
        exported = parse(fmt, _file(fmt, headers, rows, "results"), "results")
        assert len(exported) == len(stored) > 12
        for row in exported:
            want = stored[(row["member_id"], row["dimension_key"])]
            got = tuple(
                row[c] for c in ("n", "mean", "ci_low", "ci_high", "level", "rank", "change")
            )
            assert got == pytest.approx(want, abs=1e-12), (fmt, row["member_id"])

    headers, rows = responses_table(demo_round)
    target = fresh_round(demo_round, "Spring 2026 again")
    result = import_responses(
        target, read_csv(_file("csv", headers, rows, "responses")), actor_id=None
    )
    db.session.commit()
    assert result.imported > 100
    compute_results(target)
    before, after = result_figures(demo_round), result_figures(target)
    assert set(before) == set(after)
    for key, figures in before.items():
        for name, value in figures.items():
            if isinstance(value, float):
                assert after[key][name] == pytest.approx(value, abs=1e-12), (key, name)
            else:
                assert after[key][name] == value, (key, name)
