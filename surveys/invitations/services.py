"""Invitations: personal survey links by email, one at a time or from a CSV file, and
reminders. Each emailed link is a fresh 256-bit token of which only the hash is stored."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from maturity.accounts.services import normalise_email
from maturity.audit.services import record_event
from maturity.db import db, utcnow
from maturity.errors import DomainError
from maturity.mail.services import queue_email
from maturity.security import hash_token, new_token
from surveys.invitations.models import Invitation, InvitationToken
from surveys.responses.models import Response, ResponseStatus
from surveys.rounds.models import Participation, RoundState

# Builds the personal link for a raw token; the view passes one made with url_for.
LinkFor = Callable[[str], str]

REMINDER_INTERVAL = timedelta(hours=24)
MAX_EMAIL_LENGTH = 254
MAX_CSV_ADDRESSES = 2000
CSV_HEADERS = {"email", "email address", "e-mail", "e-mail address", "emails"}
INVITABLE_STATES = (RoundState.DRAFT, RoundState.OPEN)
UK = ZoneInfo("Europe/London")


class InvitationStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class InvitationCsvError(DomainError):
    """A CSV file of addresses that cannot be used; ``problems`` lists every fault."""

    def __init__(self, problems: list[str]):
        super().__init__(f"The file has {len(problems)} problem(s)", field="file")
        self.problems = problems


@dataclass(frozen=True)
class InviteResult:
    """What an upload did: the invitations made and the addresses left out as repeats."""

    invited: list[Invitation]
    already_invited: list[str] = field(default_factory=list)
    repeated_in_file: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReminderResult:
    """How many reminders were sent, and how many were held back by the 24-hour rule."""

    sent: int
    skipped: int


@dataclass(frozen=True)
class InvitationRow:
    """One invitation as a coordinator may see it: the address and how far they got."""

    invitation: Invitation
    status: InvitationStatus


@dataclass(frozen=True)
class InvitationSummary:
    """Totals of a participation's invitations by status."""

    invited: int = 0
    not_started: int = 0
    in_progress: int = 0
    submitted: int = 0
    reminders: int = 0


def _uk_day(moment: datetime) -> str:
    day = moment.astimezone(UK)
    return f"{day.day} {day:%B %Y}"


def email_problem(address: str) -> str | None:
    """Why ``address`` is not a usable email address, or None if it is."""
    if not address:
        return "Enter an email address"
    if len(address) > MAX_EMAIL_LENGTH:
        return "Email address must be 254 characters or fewer"
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return "Enter an email address in the correct format, like name@example.org"
    return None


def check_invitable(participation: Participation) -> None:
    """Refuse invitations once the round has closed."""
    if participation.round.state not in INVITABLE_STATES:
        raise DomainError("People can be invited only while the round is in draft or open")


def _invited_addresses(participation: Participation) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(Invitation.email).where(
                Invitation.participation_id == participation.id, Invitation.email.is_not(None)
            )
        )
    )


def _add_token(invitation: Invitation) -> str:
    token = new_token()
    invitation.tokens.append(InvitationToken(token_hash=hash_token(token)))
    return token


def _when_text(participation: Participation) -> str:
    round_ = participation.round
    if round_.state == RoundState.DRAFT:
        return (
            f"The survey opens on {_uk_day(round_.opens_at)} and closes on "
            f"{_uk_day(round_.closes_at)}."
        )
    return f"The survey closes on {_uk_day(round_.closes_at)}."


def _privacy_text(participation: Participation) -> str:
    organisation = participation.organisation.name
    k = participation.round.collaborative.min_group_size
    return (
        f"{organisation} can see whether you have finished, so that you are not reminded "
        f"again, but never what you answered. Results are only reported for groups of at "
        f"least {k} people."
    )


def _queue_invitation_email(participation: Participation, address: str, link: str) -> None:
    round_ = participation.round
    organisation = participation.organisation.name
    body = (
        f"{organisation} is taking part in {round_.collaborative.name}'s survey of how "
        f"well local partners work together, and would like to hear from you.\n\n"
        f"The survey takes 10 to 20 minutes. You can stop and carry on later.\n"
        f"{_when_text(participation)}\n\n"
        f"Your personal link (please do not forward it):\n{link}\n\n"
        f"{_privacy_text(participation)}"
    )
    queue_email(address, f"{organisation}: take part in the {round_.name} survey", body)


def _create(participation: Participation, address: str, link_for: LinkFor) -> Invitation:
    invitation = Invitation(
        participation_id=participation.id,
        organisation_id=participation.organisation_id,
        email=address,
    )
    db.session.add(invitation)
    token = _add_token(invitation)
    _queue_invitation_email(participation, address, link_for(token))
    return invitation


def _record(action: str, participation: Participation, actor_id: int | None, **details) -> None:
    record_event(
        action,
        "participation",
        participation.id,
        actor_id=actor_id,
        organisation_id=participation.organisation_id,
        collaborative_id=participation.collaborative_id,
        **details,
    )


def invite(
    participation: Participation, email: str, *, link_for: LinkFor, actor_id: int | None
) -> Invitation:
    """Invite one person by email: store a hashed link token and queue the email."""
    check_invitable(participation)
    address = normalise_email(email)
    problem = email_problem(address)
    if problem:
        raise DomainError(problem, field="email")
    if address in _invited_addresses(participation):
        raise DomainError(f"{address} has already been invited to this round", field="email")
    invitation = _create(participation, address, link_for)
    db.session.flush()
    _record("invitation.created", participation, actor_id, invitation_id=invitation.id)
    return invitation


def invite_many(
    participation: Participation, emails: list[str], *, link_for: LinkFor, actor_id: int | None
) -> InviteResult:
    """Invite every address, or nobody if any is unusable; repeats are left out and reported."""
    check_invitable(participation)
    addresses = [normalise_email(email) for email in emails]
    problems = [f"{address}: {p}" for address in addresses if (p := email_problem(address))]
    if problems:
        raise InvitationCsvError(problems)
    existing = _invited_addresses(participation)
    seen: set[str] = set()
    new, already, repeated = [], [], []
    for address in addresses:
        if address in existing:
            already.append(address)
        elif address in seen:
            repeated.append(address)
        else:
            new.append(address)
        seen.add(address)
    invitations = [_create(participation, address, link_for) for address in new]
    db.session.flush()
    _record("invitations.uploaded", participation, actor_id, invited=len(invitations))
    return InviteResult(invitations, sorted(set(already)), sorted(set(repeated)))


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvitationCsvError(["The file must be a CSV file saved as UTF-8"]) from None
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise InvitationCsvError(["The file must be a CSV file"]) from None


def _short(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "…"


def parse_invitation_csv(data: bytes) -> list[str]:
    """The addresses in a CSV file (one per row, optional "email" header), or raise
    InvitationCsvError listing every row's fault as "Row N: …"."""
    emails: list[str] = []
    problems: list[str] = []
    first = True
    for number, row in enumerate(_csv_rows(data), start=1):
        cells = [cell.strip() for cell in row if cell.strip()]
        if not cells:
            continue
        if first and len(cells) == 1 and cells[0].lower() in CSV_HEADERS:
            first = False
            continue
        first = False
        if len(cells) > 1:
            problems.append(f"Row {number}: put one email address in each row, and nothing else")
        elif email_problem(cells[0]):
            problems.append(f'Row {number}: "{_short(cells[0])}" is not a valid email address')
        else:
            emails.append(normalise_email(cells[0]))
    if not emails and not problems:
        problems.append("The file has no email addresses")
    if len(emails) > MAX_CSV_ADDRESSES:
        problems.append(f"The file has more than {MAX_CSV_ADDRESSES:,} email addresses: split it")
    if problems:
        raise InvitationCsvError(problems)
    return emails


def _submitted_invitation_ids(participation: Participation) -> sa.Select:
    return sa.select(Response.invitation_id).where(
        Response.participation_id == participation.id,
        Response.status == ResponseStatus.SUBMITTED,
        Response.invitation_id.is_not(None),
    )


def _queue_reminder_email(participation: Participation, address: str, link: str) -> None:
    round_ = participation.round
    organisation = participation.organisation.name
    body = (
        f"A reminder that {organisation} would like to hear from you in the {round_.name} "
        f"survey of how well local partners work together. "
        f"It takes 10 to 20 minutes; if you have started, the link takes you back to "
        f"your answers.\n"
        f"{_when_text(participation)}\n\n"
        f"Your personal link (please do not forward it):\n{link}\n\n"
        f"{_privacy_text(participation)}"
    )
    subject = f"Reminder: the {round_.name} survey closes on {_uk_day(round_.closes_at)}"
    queue_email(address, subject, body)


def send_reminders(
    participation: Participation,
    *,
    link_for: LinkFor,
    actor_id: int | None,
    now: datetime | None = None,
) -> ReminderResult:
    """Email a fresh link to everyone invited who has not submitted, except those reminded
    in the last 24 hours; earlier links keep working."""
    if participation.round.state != RoundState.OPEN:
        raise DomainError("Reminders can be sent only while the round is open")
    now = now or utcnow()
    waiting = db.session.scalars(
        sa.select(Invitation)
        .where(
            Invitation.participation_id == participation.id,
            Invitation.email.is_not(None),
            Invitation.id.not_in(_submitted_invitation_ids(participation)),
        )
        .order_by(Invitation.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    sent = skipped = 0
    for invitation in waiting:
        if invitation.last_reminded_at and now - invitation.last_reminded_at < REMINDER_INTERVAL:
            skipped += 1
            continue
        token = _add_token(invitation)
        invitation.reminder_count += 1
        invitation.last_reminded_at = now
        _queue_reminder_email(participation, invitation.email, link_for(token))
        sent += 1
    db.session.flush()
    _record("invitations.reminded", participation, actor_id, sent=sent, skipped=skipped)
    return ReminderResult(sent, skipped)


def invitation_rows(participation: Participation) -> list[InvitationRow]:
    """Every invitation of a participation with how far its respondent got, by address."""
    rows = db.session.execute(
        sa.select(Invitation, Response.status)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(Invitation.participation_id == participation.id)
        .order_by(Invitation.email, Invitation.id)
    )
    return [
        InvitationRow(
            invitation,
            InvitationStatus(status.value) if status else InvitationStatus.NOT_STARTED,
        )
        for invitation, status in rows
    ]


def invitation_summary(rows: list[InvitationRow]) -> InvitationSummary:
    """Totals of ``rows`` by status, and the reminders sent."""
    by_status = {status: 0 for status in InvitationStatus}
    for row in rows:
        by_status[row.status] += 1
    return InvitationSummary(
        invited=len(rows),
        not_started=by_status[InvitationStatus.NOT_STARTED],
        in_progress=by_status[InvitationStatus.IN_PROGRESS],
        submitted=by_status[InvitationStatus.SUBMITTED],
        reminders=sum(row.invitation.reminder_count for row in rows),
    )
