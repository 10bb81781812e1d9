"""An open round with a participation, and helpers to answer its survey."""

import re
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from maturity.db import db, utcnow
from maturity.frameworks.models import FrameworkVersion, Item, ItemType
from maturity.frameworks.services import install_default_framework
from maturity.security import hash_token, new_token
from surveys.invitations.models import Invitation, InvitationToken
from surveys.responses.models import Answer, Response
from surveys.responses.sections import sections_for
from surveys.rounds.models import Participation, Round, RoundState
from surveys.rounds.services import change_state, create_round

TOKEN_IN_URL = re.compile(r"/r/([^/]+)/")


@dataclass
class OpenRound:
    round: Round
    version: FrameworkVersion
    participation: Participation

    @property
    def share_path(self) -> str:
        return f"/s/{self.participation.share_code}"


def open_round(world) -> OpenRound:
    """A published default framework, an open round and the home council's participation."""
    version = install_default_framework(world.collaborative)
    now = utcnow()
    round_ = create_round(
        world.collaborative,
        version,
        "Autumn test round",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        actor_id=None,
    )
    change_state(round_, RoundState.OPEN, actor_id=None)
    db.session.commit()
    participation = db.session.scalars(
        sa.select(Participation).where(
            Participation.round_id == round_.id,
            Participation.organisation_id == world.organisation.id,
        )
    ).one()
    return OpenRound(round_, version, participation)


def token_from(location: str) -> str:
    """The response token in a journey URL."""
    match = TOKEN_IN_URL.search(location)
    assert match, location
    return match.group(1)


def full_answers(version: FrameworkVersion) -> dict[int, str]:
    """An answer for every item: level 3, agree (4), the first option, some text."""
    values = {}
    for item in version.items:
        if item.item_type == ItemType.LEVEL:
            values[item.id] = "3"
        elif item.item_type == ItemType.LIKERT:
            values[item.id] = "4"
        elif item.item_type in (ItemType.SINGLE, ItemType.MULTI):
            first = item.options[0]["value"]
            values[item.id] = first if item.item_type == ItemType.SINGLE else f'["{first}"]'
        elif item.item_type == ItemType.TEXT:
            values[item.id] = "More joint budgets"
        else:
            values[item.id] = "7"
    return values


def make_in_progress_response(participation: Participation, version: FrameworkVersion) -> str:
    """A fully answered, unsubmitted anonymous response; returns its resume token."""
    token = new_token()
    response = Response(
        participation_id=participation.id,
        organisation_id=participation.organisation_id,
        resume_token_hash=hash_token(token),
        answers=[Answer(item_id=i, value=v) for i, v in full_answers(version).items()],
    )
    db.session.add(response)
    return token


def make_invitation(participation: Participation, email: str) -> str:
    """An invitation with one link; returns the raw token."""
    token = new_token()
    invitation = Invitation(
        participation_id=participation.id,
        organisation_id=participation.organisation_id,
        email=email,
        tokens=[InvitationToken(token_hash=hash_token(token))],
    )
    db.session.add(invitation)
    return token


def section_form_data(section_items: list[Item], values: dict[int, str]) -> dict:
    """Form fields for a section from item values."""
    data = {}
    for item in section_items:
        if item.id in values:
            data[f"item_{item.id}"] = values[item.id]
    return data


def sections(version: FrameworkVersion):
    return sections_for(version)
