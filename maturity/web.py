"""Helpers shared by every blueprint: access decorators, navigation, form errors."""

from collections.abc import Callable
from functools import wraps

from flask import Flask, abort, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from maturity.accounts.models import Role
from maturity.errors import DomainError
from maturity.extensions import login_manager


def admin_required(view: Callable) -> Callable:
    """Only platform admins; others get 404 (the admin area is not advertised)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_admin:
            abort(404)
        return view(*args, **kwargs)

    return wrapped


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Attach a service's error to the form so the error summary shows it."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def _navigation_for(user) -> list[dict]:
    items = [{"href": url_for("home.home"), "text": "Home"}]
    if user.is_admin:
        items.append({"href": url_for("admin.admin_home"), "text": "Admin"})
    for grant in user.grants:
        if grant.role == Role.CONVENOR and grant.collaborative is not None:
            href = url_for(
                "collaboratives.collaborative_home", collab_slug=grant.collaborative.slug
            )
            items.append({"href": href, "text": grant.collaborative.name})
        elif grant.role == Role.COORDINATOR and grant.organisation is not None:
            href = url_for("organisations.organisation_home", org_slug=grant.organisation.slug)
            items.append({"href": href, "text": grant.organisation.name})
    items.append({"href": url_for("accounts.account"), "text": "Your account"})
    return items


def navigation_items() -> list[dict]:
    """The service navigation for the signed-in person, the current page marked active."""
    if not current_user.is_authenticated:
        return [{"href": url_for("accounts.sign_in"), "text": "Sign in"}]
    items = _navigation_for(current_user)
    path = request.path
    best = max(
        (
            item
            for item in items
            if path == item["href"] or path.startswith(item["href"].rstrip("/") + "/")
        ),
        key=lambda item: len(item["href"]),
        default=None,
    )
    for item in items:
        item["active"] = item is best
    return items


def init_web(app: Flask) -> None:
    """Register the template helpers."""
    app.jinja_env.globals["navigation_items"] = navigation_items
