"""The "Your surveys" panel on a respondent's home page."""

from dataclasses import dataclass

import sqlalchemy as sa

from maturity.accounts.models import Role
from maturity.db import db
from maturity.home.panels import Panel
from maturity.tenancy import unscoped
from surveys.responses.models import Response
from surveys.rounds.models import Participation, Round, RoundState


@dataclass(frozen=True)
class SurveyEntry:
    participation: Participation
    response: Response | None


def open_surveys_for(user) -> list[SurveyEntry]:
    """Open rounds of the organisations where ``user`` is a respondent, with their progress."""
    organisation_ids = [g.organisation_id for g in user.grants if g.role == Role.RESPONDENT]
    if not organisation_ids:
        return []
    with unscoped():
        participations = db.session.scalars(
            sa.select(Participation)
            .join(Round, Round.id == Participation.round_id)
            .where(
                Participation.organisation_id.in_(organisation_ids),
                Round.state == RoundState.OPEN,
            )
            .order_by(Round.closes_at)
        ).all()
        responses = {
            r.participation_id: r
            for r in db.session.scalars(
                sa.select(Response).where(
                    Response.user_id == user.id,
                    Response.participation_id.in_([p.id for p in participations]),
                )
            )
        }
    return [SurveyEntry(p, responses.get(p.id)) for p in participations]


def respondent_surveys_panel(user) -> Panel | None:
    """The panel, for anyone who is a respondent somewhere."""
    organisations = [g.organisation for g in user.grants if g.role == Role.RESPONDENT]
    if not organisations:
        return None
    return Panel(
        "journey/home_panel.html",
        {"entries": open_surveys_for(user), "organisations": organisations},
    )
