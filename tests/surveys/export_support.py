"""A closed round with results, answered on every kind of question, for the export and
import tests: two members above the minimum group size and one below it."""

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from maturity.db import db
from maturity.frameworks.models import FrameworkVersion, Item, ItemType
from maturity.organisations.models import Organisation
from maturity.results.models import DimensionResult, ItemResult, ParticipationResult
from maturity.security import hash_token, new_token
from maturity.tenancy import unscoped
from surveys.responses.models import DONT_KNOW, Answer, Response, ResponseStatus
from surveys.results.compute import compute_participation
from surveys.results.inputs import load_round_inputs
from surveys.results.scores import answers_of, store_response_scores
from surveys.results.shape import shape_of
from surveys.results.store import replace_benchmarks, replace_participation_results
from surveys.rounds.models import Participation, Round, RoundState
from surveys.rounds.services import create_round
from tests.conftest import World
from tests.factories import MembershipFactory, OrganisationFactory
from tests.surveys.round_helpers import make_round, published_version

# Text a spreadsheet would run as a formula, and text that tests the CSV quoting.
TEXTS = ['=HYPERLINK("http://evil.example","x")', "+1 call me", 'Commas, "quotes"\nand lines', ""]
DIMENSION_FIGURES = [
    "n",
    "mean",
    "median",
    "q1",
    "q3",
    "sd",
    "ci_low",
    "ci_high",
    "level",
    "level_distribution",
    "suppressed",
    "rank",
    "percentile",
]
ITEM_FIGURES = [
    "n",
    "mean",
    "median",
    "q1",
    "q3",
    "sd",
    "ci_low",
    "ci_high",
    "distribution",
    "suppressed",
]


@dataclass
class AnsweredRound:
    round: Round
    small: Organisation  # a member with fewer respondents than the minimum group size


def _value(item: Item, levels: int, rng: random.Random) -> str | None:
    if item.item_type in (ItemType.LEVEL, ItemType.LIKERT):
        top = levels if item.item_type == ItemType.LEVEL else 5
        return DONT_KNOW if rng.random() < 0.05 else str(rng.randint(1, top))
    if item.item_type == ItemType.SINGLE:
        return rng.choice(item.options)["value"]
    if item.item_type == ItemType.MULTI:
        values = sorted({rng.choice(item.options)["value"] for _ in range(2)})
        return json.dumps(values)
    if item.item_type == ItemType.NUMBER:
        return str(rng.randint(-5, 40))
    return rng.choice(TEXTS) or None


def add_submitted(participation: Participation, count: int, rng: random.Random) -> None:
    """``count`` submitted responses answering every question, with stored scores."""
    version = db.session.get(FrameworkVersion, participation.round.framework_version_id)
    levels = len(version.levels)
    for _ in range(count):
        answers = [(item.id, _value(item, levels, rng)) for item in version.items]
        response = Response(
            participation_id=participation.id,
            organisation_id=participation.organisation_id,
            resume_token_hash=hash_token(new_token()),
            status=ResponseStatus.SUBMITTED,
            submitted_at=datetime(2027, 3, 5, 10, tzinfo=UTC),
            answers=[Answer(item_id=i, value=v) for i, v in answers if v is not None],
        )
        db.session.add(response)
        db.session.flush()
        store_response_scores(
            response.id, participation.id, answers_of(response.id), shape_of(version)
        )
    participation.answers_version += count


def answered_round(world: World, seed: int = 3) -> AnsweredRound:
    """A closed round of ``world.collaborative`` with computed results."""
    small = OrganisationFactory(name="Small Council", slug="small-council")
    MembershipFactory(collaborative=world.collaborative, organisation=small)
    db.session.flush()
    round_ = make_round(world.collaborative, RoundState.CLOSED)
    rng = random.Random(seed)
    counts = {world.organisation.id: 9, world.peer.id: 7, small.id: 3}
    for participation in round_.participations:
        add_submitted(participation, counts[participation.organisation_id], rng)
    db.session.commit()
    compute_results(round_)
    return AnsweredRound(round_, small)


def compute_results(round_: Round) -> None:
    """Every member's results and the benchmarks, as the round recompute job works them
    out (without the charts it then asks for: no test here looks at them)."""
    with unscoped():
        for inputs in load_round_inputs(round_):
            replace_participation_results(inputs, compute_participation(inputs))
        replace_benchmarks(round_.id, round_.collaborative_id)
    db.session.commit()


def fresh_round(source: Round, name: str = "Imported") -> Round:
    """An empty round of the same collaborative and framework, after ``source``."""
    round_ = create_round(
        source.collaborative,
        published_version(source.collaborative),
        name,
        opens_at=datetime(2027, 9, 1, 9, tzinfo=UTC),
        closes_at=datetime(2027, 10, 30, 9, tzinfo=UTC),
        actor_id=None,
    )
    round_.state = RoundState.CLOSED
    db.session.commit()
    return round_


def result_figures(round_: Round) -> dict[tuple, dict]:
    """Every stored result figure of a round keyed by member and what it describes
    (change since the previous round aside: two rounds have different previous rounds)."""
    figures: dict[tuple, dict] = {}
    for row in db.session.scalars(
        sa.select(DimensionResult).where(DimensionResult.round_id == round_.id)
    ):
        key = ("dimension", row.organisation_id, row.dimension_key, row.segment)
        figures[key] = {name: getattr(row, name) for name in DIMENSION_FIGURES}
    for row in db.session.scalars(sa.select(ItemResult).where(ItemResult.round_id == round_.id)):
        figures[("item", row.organisation_id, row.lineage)] = {
            name: getattr(row, name) for name in ITEM_FIGURES
        }
    for row in db.session.scalars(
        sa.select(ParticipationResult).where(ParticipationResult.round_id == round_.id)
    ):
        figures[("overall", row.organisation_id)] = {
            "n": row.n_submitted if not row.suppressed else None,
            "mean": row.overall_mean,
            "level": row.overall_level,
            "suppressed": row.suppressed,
        }
    return figures
