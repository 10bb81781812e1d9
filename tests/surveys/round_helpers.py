"""Rounds, responses and page helpers shared by the round, participation and invitation tests."""

import re
from datetime import UTC, datetime

import sqlalchemy as sa
from flask.testing import FlaskClient

from maturity.collaboratives.models import Collaborative
from maturity.db import db
from maturity.frameworks.models import FrameworkVersion, Item
from maturity.frameworks.services import install_default_framework
from maturity.mail.models import OutboxEmail
from maturity.organisations.models import Organisation
from maturity.security import hash_token, new_token
from surveys.responses.models import Answer, Response, ResponseStatus
from surveys.rounds.models import Participation, Round, RoundState
from surveys.rounds.services import create_round
from tests.helpers import CSRF_PATTERN

OPENS_AT = datetime(2027, 3, 1, 9, tzinfo=UTC)
CLOSES_AT = datetime(2027, 4, 30, 22, 59, tzinfo=UTC)
ANY_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def published_version(collaborative: Collaborative) -> FrameworkVersion:
    """The collaborative's published default framework (installed on first use)."""
    version = db.session.scalars(
        sa.select(FrameworkVersion)
        .join(FrameworkVersion.framework)
        .where(FrameworkVersion.framework.has(collaborative_id=collaborative.id))
        .order_by(FrameworkVersion.id)
    ).first()
    return version or install_default_framework(collaborative)


def make_round(
    collaborative: Collaborative, state: RoundState = RoundState.OPEN, name: str = "Spring 2027"
) -> Round:
    """A committed round of ``collaborative`` in ``state``, with every member taking part."""
    round_ = create_round(
        collaborative,
        published_version(collaborative),
        name,
        opens_at=OPENS_AT,
        closes_at=CLOSES_AT,
        actor_id=None,
    )
    round_.state = state
    db.session.commit()
    return round_


def participation_of(round_: Round, organisation: Organisation) -> Participation:
    """The organisation's participation in the round."""
    return db.session.scalars(
        sa.select(Participation).where(
            Participation.round_id == round_.id,
            Participation.organisation_id == organisation.id,
        )
    ).one()


def item_by_key(round_: Round, key: str) -> Item:
    """One of the round's questions, by its key."""
    return db.session.scalars(
        sa.select(Item).where(Item.version_id == round_.framework_version_id, Item.key == key)
    ).one()


def add_response(
    participation: Participation,
    *,
    submitted: bool = True,
    answers: dict[str, str] | None = None,
    invitation_id: int | None = None,
) -> Response:
    """A response with the given answers (by item key); flushed, not committed."""
    round_ = participation.round
    response = Response(
        participation_id=participation.id,
        organisation_id=participation.organisation_id,
        invitation_id=invitation_id,
        resume_token_hash=hash_token(new_token()),
        status=ResponseStatus.SUBMITTED if submitted else ResponseStatus.IN_PROGRESS,
        submitted_at=datetime.now(UTC) if submitted else None,
        answers=[
            Answer(item_id=item_by_key(round_, key).id, value=value)
            for key, value in (answers or {}).items()
        ],
    )
    db.session.add(response)
    db.session.flush()
    return response


def page_csrf(client: FlaskClient, path: str) -> str:
    """A CSRF token from any form on ``path`` (the session's token is the same for all)."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_PATTERN.search(html) or ANY_CSRF.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def outbox() -> list[OutboxEmail]:
    """Every queued email, oldest first."""
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id)))
