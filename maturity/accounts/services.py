"""Accounts: signing in and out, server-side sessions, invitations and password resets."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for

from maturity.accounts.models import (
    AccountToken,
    AccountTokenPurpose,
    AuthSession,
    Role,
    RoleGrant,
    User,
)
from maturity.accounts.passwords import hash_password, password_problem, verify_password
from maturity.audit.services import record_event
from maturity.collaboratives.models import Collaborative
from maturity.db import db, utcnow
from maturity.errors import DomainError
from maturity.mail.services import queue_email
from maturity.organisations.models import Organisation
from maturity.security import hash_token, new_token, token_matches


def normalise_email(email: str) -> str:
    """The canonical form we store and look up: trimmed and lower-cased."""
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    """The account with this email, if any."""
    return db.session.scalars(sa.select(User).where(User.email == normalise_email(email))).first()


def authenticate(email: str, password: str) -> User | None:
    """The active user these credentials belong to, or None; equal time either way."""
    user = user_by_email(email)
    stored = user.password_hash if user is not None and user.is_active else None
    if not verify_password(stored, password):
        return None
    return user


def start_session(user: User) -> str:
    """Record a new signed-in session for ``user`` and return its secret token."""
    token = new_token()
    db.session.add(AuthSession(user_id=user.id, token_hash=hash_token(token)))
    user.last_signed_in_at = utcnow()
    record_event("account.sign_in", "user", user.id, actor_id=user.id)
    return token


def session_is_live(user_id: int, token: str | None) -> bool:
    """Whether ``token`` names a session of ``user_id`` that has not ended and is younger
    than SESSION_ABSOLUTE_SECONDS (however active it has been: the idle limit is the
    cookie's)."""
    if not token:
        return False
    row = db.session.scalars(
        sa.select(AuthSession).where(AuthSession.token_hash == hash_token(token))
    ).first()
    oldest_start = utcnow() - timedelta(seconds=current_app.config["SESSION_ABSOLUTE_SECONDS"])
    return (
        row is not None
        and row.user_id == user_id
        and row.ended_at is None
        and row.created_at > oldest_start
        and token_matches(token, row.token_hash)
    )


def end_session(token: str | None) -> None:
    """End one signed-in session (sign out)."""
    if not token:
        return
    db.session.execute(
        sa.update(AuthSession)
        .where(AuthSession.token_hash == hash_token(token), AuthSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def end_all_sessions(user: User) -> None:
    """End every signed-in session of ``user`` (password change, deactivation)."""
    db.session.execute(
        sa.update(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def check_new_password(password: str, confirmation: str, email: str) -> None:
    """Raise a DomainError if ``password`` is unacceptable or not confirmed."""
    problem = password_problem(password, email)
    if problem:
        raise DomainError(problem, field="password")
    if password != confirmation:
        raise DomainError("Passwords do not match", field="confirm")


def store_password(user: User, password: str) -> None:
    """Set ``user``'s password: every session ends and every unused emailed link
    (invitation, reset) stops working, since they were issued for the old password."""
    user.password_hash = hash_password(password)
    user.token_generation = (user.token_generation or 0) + 1
    if user.id is not None:
        end_all_sessions(user)


def change_password(user: User, current: str, new: str, confirmation: str) -> None:
    """Change a signed-in person's password and end all their sessions."""
    if not verify_password(user.password_hash, current):
        raise DomainError("Current password is not right", field="current")
    check_new_password(new, confirmation, user.email)
    store_password(user, new)
    record_event("account.password_changed", "user", user.id, actor_id=user.id)


def _issue_token(user: User, purpose: AccountTokenPurpose) -> str:
    hours = current_app.config["ACCOUNT_TOKEN_HOURS"]
    token = new_token()
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=hash_token(token),
            expires_at=utcnow() + timedelta(hours=hours),
            generation=user.token_generation,
        )
    )
    return token


def find_account_token(token: str) -> AccountToken | None:
    """The unused, unexpired account token matching ``token``, if any, issued since the
    person's password last changed."""
    row = db.session.scalars(
        sa.select(AccountToken).where(AccountToken.token_hash == hash_token(token))
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    if row.generation != row.user.token_generation:
        return None
    return row if token_matches(token, row.token_hash) else None


def set_password_with_token(token: str, password: str, confirmation: str) -> User:
    """Use a single-use link to set a password; ends the person's other sessions."""
    row = find_account_token(token)
    if row is None:
        raise DomainError("This link has expired or has already been used")
    user = row.user
    check_new_password(password, confirmation, user.email)
    row.used_at = utcnow()
    store_password(user, password)
    record_event(f"account.{row.purpose.value}_used", "user", user.id, actor_id=user.id)
    return user


def request_password_reset(email: str) -> None:
    """Queue one email to ``email`` either way, so that neither the answer nor the work
    done (one queued email, delivered later) tells whether an account exists: a reset
    link for an active account, otherwise a note that there is no account to reset."""
    user = user_by_email(email)
    if user is None or not user.is_active:
        queue_email(
            normalise_email(email),
            "Reset your Placewise password",
            "Someone asked to reset the password for this email address on Placewise, but "
            "there is no active Placewise account for it.\n\n"
            "If it was you, ask your organisation's coordinator to invite you, or try the "
            "email address your invitation was sent to. If it was not you, ignore this email.",
        )
        return
    token = _issue_token(user, AccountTokenPurpose.PASSWORD_RESET)
    link = url_for("accounts.password_set", token=token, _external=True)
    queue_email(
        user.email,
        "Reset your Placewise password",
        f"Someone asked to reset the password for this email address on Placewise.\n\n"
        f"To choose a new password, open this link within "
        f"{current_app.config['ACCOUNT_TOKEN_HOURS']} hours:\n{link}\n\n"
        "If it was not you, ignore this email: your password has not changed.",
    )


def _grant_scope_name(
    organisation: Organisation | None, collaborative: Collaborative | None
) -> str:
    if collaborative is not None:
        return collaborative.name
    return organisation.name if organisation is not None else "Placewise"


def grant_role(
    user: User,
    role: Role,
    *,
    organisation: Organisation | None = None,
    collaborative: Collaborative | None = None,
    granted_by: User | None = None,
) -> RoleGrant:
    """Give ``user`` a role in a scope, unless they already hold it."""
    existing = next(
        (
            g
            for g in user.grants
            if g.role == role
            and g.organisation_id == (organisation.id if organisation else None)
            and g.collaborative_id == (collaborative.id if collaborative else None)
        ),
        None,
    )
    if existing is not None:
        return existing
    grant = RoleGrant(
        role=role,
        organisation=organisation,
        collaborative=collaborative,
        granted_by_id=granted_by.id if granted_by else None,
    )
    user.grants.append(grant)
    db.session.flush()
    record_event(
        "role.granted",
        "user",
        user.id,
        actor_id=granted_by.id if granted_by else None,
        organisation_id=organisation.id if organisation else None,
        collaborative_id=collaborative.id if collaborative else None,
        role=role.value,
    )
    return grant


def invite_person(
    email: str,
    name: str,
    role: Role,
    *,
    invited_by: User,
    organisation: Organisation | None = None,
    collaborative: Collaborative | None = None,
) -> User:
    """Give a person a role, creating their account if needed, and email them a link."""
    user = user_by_email(email)
    if user is None:
        user = User(email=normalise_email(email), name=name.strip())
        db.session.add(user)
        db.session.flush()
    grant_role(
        user, role, organisation=organisation, collaborative=collaborative, granted_by=invited_by
    )
    place = _grant_scope_name(organisation, collaborative)
    if user.has_password:
        body = (
            f"{invited_by.name} has given you the {role.label.lower()} role for {place} on "
            f"Placewise. Sign in as usual to use it:\n{url_for('accounts.sign_in', _external=True)}"
        )
    else:
        token = _issue_token(user, AccountTokenPurpose.INVITATION)
        link = url_for("accounts.password_set", token=token, _external=True)
        body = (
            f"{invited_by.name} has invited you to Placewise as {role.label.lower()} for "
            f"{place}.\n\nTo accept, choose a password using this link within "
            f"{current_app.config['ACCOUNT_TOKEN_HOURS']} hours. It works once:\n{link}"
        )
    queue_email(user.email, f"You have been invited to Placewise for {place}", body)
    return user


def revoke_grant(grant: RoleGrant, *, revoked_by: User) -> None:
    """Take a role away; the person's other roles are untouched."""
    if grant.user_id == revoked_by.id and grant.role in (Role.COORDINATOR, Role.CONVENOR):
        raise DomainError("You cannot remove your own role. Ask another coordinator or an admin")
    record_event(
        "role.revoked",
        "user",
        grant.user_id,
        actor_id=revoked_by.id,
        organisation_id=grant.organisation_id,
        collaborative_id=grant.collaborative_id,
        role=grant.role.value,
    )
    db.session.delete(grant)
    db.session.flush()
