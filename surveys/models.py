"""Imports every collection model so the metadata and Alembic see the whole schema."""

from surveys.invitations.models import Invitation, InvitationToken
from surveys.responses.models import Answer, Response, ResponseScore
from surveys.rounds.models import Participation, Round

__all__ = [
    "Answer",
    "Invitation",
    "InvitationToken",
    "Participation",
    "Response",
    "ResponseScore",
    "Round",
]
