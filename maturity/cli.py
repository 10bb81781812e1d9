"""Command-line administration: flask --app wsgi <command>."""

import click
import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import Flask
from flask.cli import AppGroup

from maturity.accounts.models import Role, User
from maturity.accounts.passwords import hash_password, password_problem
from maturity.accounts.services import end_all_sessions, grant_role, normalise_email, user_by_email
from maturity.db import db
from maturity.organisations.models import Organisation, OrganisationKind
from maturity.organisations.services import create_organisation

users_cli = AppGroup("users", help="Look after accounts.")
organisations_cli = AppGroup("organisations", help="Look after organisations.")
MAX_EMAIL_LENGTH = 254


def _email_address(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """A click callback: the address, normalised, or a usage error saying what is wrong."""
    address = normalise_email(value)
    if len(address) > MAX_EMAIL_LENGTH:
        raise click.BadParameter("an email address must be 254 characters or fewer")
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.BadParameter(
            f"{value!r} is not an email address like name@example.org ({error})"
        ) from None
    return address


@users_cli.command("create-admin")
@click.argument("email", callback=_email_address)
@click.option("--name", required=True, help="The person's full name.")
@click.password_option(help="Their password (asked for if not given).")
def create_admin(email: str, name: str, password: str) -> None:
    """Create a platform admin account (or make an existing account an admin)."""
    user = user_by_email(email)
    if user is None:
        problem = password_problem(password, email)
        if problem:
            raise click.ClickException(problem)
        user = User(email=normalise_email(email), name=name, password_hash=hash_password(password))
        db.session.add(user)
        db.session.flush()
    grant_role(user, Role.ADMIN)
    db.session.commit()
    click.echo(f"{user.email} is a platform admin.")


@users_cli.command("deactivate")
@click.argument("email", callback=_email_address)
def deactivate(email: str) -> None:
    """Deactivate an account and end all its sessions."""
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account for {email}")
    user.is_active = False
    end_all_sessions(user)
    db.session.commit()
    click.echo(f"{user.email} deactivated.")


@users_cli.command("list")
def list_users() -> None:
    """Every account with its roles."""
    for user in db.session.scalars(sa.select(User).order_by(User.email)):
        roles = ", ".join(
            g.role.value if g.role == Role.ADMIN else f"{g.role.value} in {g.scope_name}"
            for g in user.grants
        )
        state = "active" if user.is_active else "deactivated"
        click.echo(f"{user.email}\t{state}\t{roles}")


@organisations_cli.command("create")
@click.argument("name")
@click.option("--kind", type=click.Choice([k.value for k in OrganisationKind]), required=True)
@click.option("--region", default=None)
@click.option("--population", type=click.IntRange(min=0), default=None)
def create_org(name: str, kind: str, region: str | None, population: int | None) -> None:
    """Add an organisation."""
    organisation = create_organisation(
        name, OrganisationKind(kind), region=region, population=population
    )
    db.session.commit()
    click.echo(f"Created {organisation.name} ({organisation.slug}).")


@organisations_cli.command("list")
def list_orgs() -> None:
    """Every organisation with its identifier."""
    for organisation in db.session.scalars(sa.select(Organisation).order_by(Organisation.slug)):
        click.echo(f"{organisation.slug}\t{organisation.kind.value}\t{organisation.name}")


def register_commands(app: Flask) -> None:
    """Add the core's commands to ``flask``."""
    app.cli.add_command(users_cli)
    app.cli.add_command(organisations_cli)
