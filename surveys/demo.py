"""Demo rounds with generated, plausible responses for every demo council.

Each council has a hidden maturity per dimension that drifts upwards round by round;
respondents see it through their own role (leaders a little more optimistic than frontline
staff) and some noise. Deterministic for a given seed.
"""

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from maturity.collaboratives.models import Collaborative
from maturity.db import db
from maturity.engine import respondent_dimension_scores
from maturity.frameworks.models import FrameworkVersion, Item, ItemType
from maturity.organisations.models import Organisation
from maturity.security import hash_token, new_token
from surveys.invitations.services import invite
from surveys.jobs import recompute_round
from surveys.responses.models import DONT_KNOW, Answer, Response, ResponseScore, ResponseStatus
from surveys.results.shape import shape_of
from surveys.rounds.models import NamingConsent, Participation, Round, RoundState
from surveys.rounds.services import add_missing_participations

ROUNDS = [
    (
        "Autumn 2025",
        datetime(2025, 10, 1, 9, tzinfo=UTC),
        datetime(2025, 11, 14, 17, tzinfo=UTC),
        RoundState.CLOSED,
    ),
    (
        "Spring 2026",
        datetime(2026, 4, 13, 9, tzinfo=UTC),
        datetime(2026, 5, 22, 17, tzinfo=UTC),
        RoundState.CLOSED,
    ),
    (
        "Autumn 2026",
        datetime(2026, 11, 2, 9, tzinfo=UTC),
        datetime(2026, 12, 18, 17, tzinfo=UTC),
        RoundState.OPEN,
    ),
]
ROLE_BANDS = [("frontline", 0.55, -0.15), ("manager", 0.3, 0.05), ("senior_leader", 0.15, 0.35)]
PERSPECTIVES = [
    ("council_staff", 0.7),
    ("partner_organisation", 0.25),
    ("community_representative", 0.05),
]
IDEAS = [
    "One shared record so families stop repeating their story.",
    "Joint budgets for the neighbourhood team.",
    "More time to build relationships instead of filling in forms.",
    "Leaders from every partner saying the same thing about how we work.",
    "Keep funding the community connectors beyond the pilot.",
    "A single place in each neighbourhood where partners work side by side.",
]
DONT_KNOW_RATE = 0.04


@dataclass
class Respondent:
    """A simulated person: how they see their council, and who they are."""

    role: str
    optimism: float
    perspective: str


def _pick(rng: random.Random, weighted: list[tuple]) -> tuple:
    return rng.choices(weighted, weights=[w[1] for w in weighted])[0]


def _respondent(rng: random.Random) -> Respondent:
    role, _, optimism = _pick(rng, ROLE_BANDS)
    perspective, _ = _pick(rng, PERSPECTIVES)
    return Respondent(role, optimism + rng.gauss(0, 0.25), perspective)


def _scored_value(item: Item, true_level: float, levels: int, rng: random.Random) -> str:
    if rng.random() < DONT_KNOW_RATE:
        return DONT_KNOW
    seen = true_level + rng.gauss(0, 0.55)
    if item.item_type == ItemType.LEVEL:
        return str(min(levels, max(1, round(seen))))
    agreement = min(5, max(1, round(1 + (seen - 1) * 4 / (levels - 1))))
    return str(6 - agreement if item.is_reversed else agreement)


def _context_value(item: Item, person: Respondent, rng: random.Random) -> str | None:
    if item.key == "role_band":
        return person.role
    if item.key == "perspective":
        return person.perspective
    if item.item_type == ItemType.SINGLE:
        return rng.choice(item.options)["value"] if rng.random() < 0.9 else None
    if item.item_type == ItemType.MULTI:
        return json.dumps(sorted({rng.choice(item.options)["value"]}))
    if item.item_type == ItemType.TEXT:
        return rng.choice(IDEAS) if rng.random() < 0.2 else None
    return str(rng.randint(1, 30)) if item.item_type == ItemType.NUMBER else None


def _answers(version: FrameworkVersion, maturity: dict[int, float], person, rng) -> list[Answer]:
    levels = len(version.levels)
    answers = []
    for item in version.items:
        if item.dimension_id is not None:
            value = _scored_value(item, maturity[item.dimension_id] + person.optimism, levels, rng)
        else:
            value = _context_value(item, person, rng)
        if value is not None:
            answers.append(Answer(item_id=item.id, value=value))
    return answers


def _add_response(participation, version, maturity, rng, *, submitted: bool, when: datetime):
    hour = when.replace(minute=0, second=0, microsecond=0)
    response = Response(
        participation_id=participation.id,
        organisation_id=participation.organisation_id,
        resume_token_hash=hash_token(new_token()),
        status=ResponseStatus.SUBMITTED if submitted else ResponseStatus.IN_PROGRESS,
        started_at=hour,
        updated_at=hour,
        submitted_at=hour if submitted else None,
        answers=_answers(version, maturity, _respondent(rng), rng),
    )
    if not submitted:
        response.answers = response.answers[: len(response.answers) // 2]
    db.session.add(response)


def _respondent_count(rng: random.Random, council_index: int, round_index: int) -> int:
    if council_index == 11 and round_index == 2:
        return 3  # one council below the reporting threshold in the open round
    return rng.randint(7, 16)


def _fill_participation(participation, version, baseline, round_index, council_index, rng, round_):
    maturity = {
        dim.id: min(3.9, baseline[dim.key] + 0.18 * round_index + rng.gauss(0, 0.05))
        for dim in version.dimensions
    }
    participation.eligible_staff = rng.randint(25, 60)
    participation.naming_consent = (
        NamingConsent.CONVENOR_ONLY if council_index in (4, 9) else NamingConsent.PEERS
    )
    count = _respondent_count(rng, council_index, round_index)
    span = (round_.closes_at - round_.opens_at) * (0.6 if round_.is_open else 1.0)
    for _ in range(count):
        when = round_.opens_at + span * rng.random()
        _add_response(participation, version, maturity, rng, submitted=True, when=when)
    if round_.is_open:
        _add_response(participation, version, maturity, rng, submitted=False, when=when)
    participation.answers_version = count


def _baselines(version: FrameworkVersion, councils: list[Organisation], rng) -> dict[int, dict]:
    return {
        council.id: {dim.key: rng.uniform(1.3, 2.9) for dim in version.dimensions}
        for council in councils
    }


def _personal_link(token: str) -> str:
    """The survey link for an invitation token, on the configured BASE_URL (no request here)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build("journey.response_start", {"token": token}, force_external=True)


def _demo_invitations(participation: Participation) -> None:
    """Two personal invitations, emailed (to the outbox) with working links."""
    for email in ("sam.patel@ashby-moor.example", "jo.hughes@ashby-moor.example"):
        invite(participation, email, link_for=_personal_link, actor_id=None)


def seed_rounds(collaborative: Collaborative, councils: list[Organisation], seed: int) -> None:
    """Three rounds (two closed, one open) of responses for every council."""
    rng = random.Random(seed)
    version = db.session.scalars(
        sa.select(FrameworkVersion)
        .join(FrameworkVersion.framework)
        .where(FrameworkVersion.framework.has(collaborative_id=collaborative.id))
    ).first()
    baselines = _baselines(version, councils, rng)
    index_of = {council.id: i for i, council in enumerate(councils)}
    for round_index, (name, opens_at, closes_at, state) in enumerate(ROUNDS):
        round_ = Round(
            collaborative_id=collaborative.id,
            framework_version_id=version.id,
            name=name,
            slug=name.lower().replace(" ", "-"),
            state=state,
            opens_at=opens_at,
            closes_at=closes_at,
            state_changed_at=closes_at if state == RoundState.CLOSED else opens_at,
        )
        db.session.add(round_)
        db.session.flush()
        for participation in add_missing_participations(round_):
            council_index = index_of[participation.organisation_id]
            _fill_participation(
                participation,
                version,
                baselines[participation.organisation_id],
                round_index,
                council_index,
                rng,
                round_,
            )
            if round_.is_open and council_index == 0:
                _demo_invitations(participation)
        db.session.flush()
        _score_submitted_responses(round_, version)
        recompute_round(round_.id)


def _score_submitted_responses(round_: Round, version: FrameworkVersion) -> None:
    """Store each submitted response's dimension scores, as a real submission does (in
    bulk: the demo creates hundreds at once)."""
    shape = shape_of(version)
    rows = db.session.execute(
        sa.select(Response.id, Response.participation_id, Answer.item_id, Answer.value)
        .join(Participation, Participation.id == Response.participation_id)
        .join(Answer, Answer.response_id == Response.id)
        .where(Participation.round_id == round_.id, Response.status == ResponseStatus.SUBMITTED)
    )
    answers: dict[tuple[int, int], dict[int, str]] = {}
    for response_id, participation_id, item_id, value in rows:
        answers.setdefault((response_id, participation_id), {})[item_id] = value
    scores = [
        {"response_id": rid, "participation_id": pid, "dimension_key": key, "score": score}
        for (rid, pid), given in answers.items()
        for key, score in respondent_dimension_scores(
            shape.scored_items, given, shape.levels
        ).items()
    ]
    db.session.execute(sa.insert(ResponseScore), scores)
