"""flask-login wiring: each browser session is checked against its server-side record."""

import sqlalchemy as sa
from flask import Flask, session
from flask_login import login_user, logout_user
from sqlalchemy.orm import selectinload

from maturity.accounts import services
from maturity.accounts.models import RoleGrant, User
from maturity.db import db
from maturity.extensions import login_manager
from maturity.tenancy import unscoped

SESSION_TOKEN_KEY = "auth_session"


def _load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    with unscoped():
        user = db.session.scalars(
            sa.select(User)
            .where(User.id == int(user_id))
            .options(selectinload(User.grants).selectinload(RoleGrant.organisation))
            .options(selectinload(User.grants).selectinload(RoleGrant.collaborative))
        ).first()
        if user is None or not user.is_active:
            return None
        if not services.session_is_live(user.id, session.get(SESSION_TOKEN_KEY)):
            return None
    return user


def sign_in(user: User) -> None:
    """Start a fresh session for ``user``: old session data is dropped (rotation)."""
    session.clear()
    token = services.start_session(user)
    db.session.commit()
    session[SESSION_TOKEN_KEY] = token
    session.permanent = True
    login_user(user)


def sign_out() -> None:
    """End this browser's session server-side and forget it here."""
    services.end_session(session.get(SESSION_TOKEN_KEY))
    db.session.commit()
    logout_user()
    session.clear()


def init_login(app: Flask) -> None:
    """Configure flask-login for the app."""
    login_manager.user_loader(_load_user)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to see this page"
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # our server-side sessions do this job
