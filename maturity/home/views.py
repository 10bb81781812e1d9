"""Home: each person lands on what they can do."""

from dataclasses import dataclass

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from maturity.accounts.models import Role
from maturity.home.panels import panels_for

bp = Blueprint("home", __name__)


@dataclass(frozen=True)
class Destination:
    """A place the signed-in person can go, as the home page lists it."""

    title: str
    href: str
    description: str


def _destinations(user) -> list[Destination]:
    places: list[Destination] = []
    if user.is_admin:
        places.append(
            Destination(
                "Platform admin",
                url_for("admin.admin_home"),
                "Organisations, collaboratives, accounts",
            )
        )
    for grant in user.grants:
        if grant.role == Role.CONVENOR:
            href = url_for(
                "collaboratives.collaborative_home", collab_slug=grant.collaborative.slug
            )
            places.append(
                Destination(grant.collaborative.name, href, "Convenor: members and settings")
            )
        elif grant.role == Role.COORDINATOR:
            href = url_for("organisations.organisation_home", org_slug=grant.organisation.slug)
            places.append(
                Destination(grant.organisation.name, href, "Coordinator: people and collaboratives")
            )
    return places


@bp.get("/")
@login_required
def home():
    """Send a person with one place to go straight there; list the places otherwise."""
    places = _destinations(current_user)
    panels = panels_for(current_user)
    if len(places) == 1 and not panels:
        return redirect(places[0].href)
    return render_template("home/home.html", places=places, panels=panels)


@dataclass(frozen=True)
class StatementDates:
    """When the accessibility statement was prepared and reviewed, and its next review."""

    prepared: str
    reviewed: str
    next_review: str


# Update these whenever the statement is reviewed (the accessibility regulations ask for a
# review at least once a year; we review every six months).
ACCESSIBILITY_STATEMENT = StatementDates(
    prepared="7 December 2026", reviewed="7 December 2026", next_review="7 June 2027"
)


@bp.get("/accessibility")
def accessibility():
    """The accessibility statement, in the form the accessibility regulations require."""
    return render_template("home/accessibility.html", statement=ACCESSIBILITY_STATEMENT)


@bp.get("/privacy")
def privacy():
    """How Placewise handles personal data and survey answers."""
    return render_template("home/privacy.html")
