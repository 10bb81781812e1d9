"""Sign in and out, set and reset passwords, the account page."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from maturity.accounts import services
from maturity.accounts.forms import (
    PasswordChangeForm,
    PasswordResetRequestForm,
    PasswordSetForm,
    SignInForm,
)
from maturity.accounts.session import sign_in as start_signed_in_session
from maturity.accounts.session import sign_out as end_signed_in_session
from maturity.api.tokens import tokens_of
from maturity.db import db, utcnow
from maturity.errors import DomainError
from maturity.mail.services import deliver_outbox
from maturity.ratelimit import failed, fixed_per_window, limiter, note_failure, per_window
from maturity.security import hash_token, mark_token_page, safe_next
from maturity.web import show_domain_error

bp = Blueprint("accounts", __name__)

SIGN_IN_FAILED = "Enter a correct email address and password"


def _submitted_email() -> str:
    """The account a form names (a rate-limit key; "-" when none was given)."""
    return services.normalise_email(request.form.get("email", "")) or "-"


def _link_token() -> str:
    """The emailed link's token, hashed (a rate-limit key; the secret is not stored)."""
    return hash_token(request.view_args["token"])


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(per_window("SIGN_IN_LIMIT", 4), methods=["POST"], deduct_when=failed)
@limiter.limit(
    per_window("SIGN_IN_LIMIT"), key_func=_submitted_email, methods=["POST"], deduct_when=failed
)
def sign_in():
    """Ask for an email and password; the same message for any wrong pair."""
    next_url = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(safe_next(next_url, url_for("home.home")))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            start_signed_in_session(user)
            return redirect(safe_next(next_url, url_for("home.home")))
        note_failure()  # only failed attempts count towards the limits
        form.form_errors.append(SIGN_IN_FAILED)
    return render_template("accounts/sign_in.html", form=form)


@bp.post("/sign-out")
def sign_out():
    """End this session on the server and in the browser."""
    if current_user.is_authenticated:
        end_signed_in_session()
    flash("You have signed out", "success")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/password-reset", methods=["GET", "POST"])
@limiter.limit(fixed_per_window(10), methods=["POST"])
@limiter.limit(fixed_per_window(3), key_func=_submitted_email, methods=["POST"])
def password_reset_request():
    """Email a reset link; the answer is the same whether or not the account exists."""
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        deliver_outbox()
        return render_template("accounts/password_reset_sent.html", email=form.email.data)
    return render_template("accounts/password_reset_request.html", form=form)


@bp.route("/password/<token>", methods=["GET", "POST"])
@limiter.limit(per_window("TOKEN_LIMIT"), deduct_when=failed)
@limiter.limit(per_window("TOKEN_LIMIT"), key_func=_link_token)
def password_set(token: str):
    """Choose a password from an invitation or reset link (single use). Unknown links count
    against the address (guessing); each real link may be opened TOKEN_LIMIT times a window."""
    mark_token_page()
    account_token = services.find_account_token(token)
    if account_token is None:
        note_failure()
        return render_template("accounts/link_expired.html"), 404
    form = PasswordSetForm()
    if form.validate_on_submit():
        try:
            user = services.set_password_with_token(token, form.password.data, form.confirm.data)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            start_signed_in_session(user)
            flash("Your password has been saved and you are signed in", "success")
            return redirect(url_for("home.home"))
    return render_template("accounts/password_set.html", form=form, account_token=account_token)


@bp.get("/account")
@login_required
def account():
    """The signed-in person's details, roles and API tokens."""
    api_tokens = tokens_of(current_user)
    return render_template("accounts/account.html", api_tokens=api_tokens, now=utcnow())


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password_change():
    """Change password; every other session of this person ends."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current.data, form.password.data, form.confirm.data
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            start_signed_in_session(current_user._get_current_object())
            flash(
                "Your password has been changed. You have been signed out everywhere else",
                "success",
            )
            return redirect(url_for("accounts.account"))
    return render_template("accounts/password_change.html", form=form)
