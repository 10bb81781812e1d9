"""Creating and revoking personal access tokens, from the account page."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from maturity.api import tokens
from maturity.api.forms import ApiTokenForm
from maturity.api.models import ApiToken, TokenScope
from maturity.db import db
from maturity.errors import DomainError
from maturity.security import mark_token_page
from maturity.tenancy import get_or_404
from maturity.web import show_domain_error

bp = Blueprint("api_tokens", __name__, url_prefix="/account/tokens")


@bp.route("/new", methods=["GET", "POST"])
@login_required
def api_token_new():
    """Create a token; its secret is shown on the next page, once."""
    form = ApiTokenForm()
    if form.validate_on_submit():
        try:
            token, secret = tokens.create_token(
                current_user,
                form.name.data,
                TokenScope(form.scope.data),
                int(form.expires_in.data),
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            mark_token_page()  # the page shows a secret: send no Referer from it
            return render_template("api/token_created.html", token=token, secret=secret)
    return render_template("api/token_new.html", form=form)


@bp.post("/<int:token_id>/revoke")
@login_required
def api_token_revoke(token_id: int):
    """Revoke one of your tokens: it stops working at once."""
    token = get_or_404(ApiToken, token_id, user_id=current_user.id)
    if token.revoked_at is not None:
        abort(404)
    tokens.revoke_token(token, actor=current_user)
    db.session.commit()
    flash(f"Token '{token.name}' has been revoked. It no longer works", "success")
    return redirect(url_for("accounts.account"))
