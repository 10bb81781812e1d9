"""Collection commands: flask --app wsgi seed-demo …"""

import click
from flask import Flask

from maturity.db import db
from maturity.demo import demo_is_seeded, demo_sign_ins, seed_people_and_places


def _print_sign_ins() -> None:
    sign_ins = demo_sign_ins()
    click.echo(f"Demo sign-ins (password for all: {sign_ins.password}):")
    for role, email in sign_ins.accounts:
        click.echo(f"  {role:<55} {email}")


@click.command("seed-demo")
@click.option("--seed", default=1, show_default=True, help="Seed for the generated data.")
def seed_demo(seed: int) -> None:
    """Create the demo collaborative once; a second run changes nothing."""
    if demo_is_seeded():
        click.echo("The demo data is already there; nothing changed.")
    else:
        seed_people_and_places(seed)
        db.session.commit()
        click.echo("Demo data created.")
    _print_sign_ins()


def register_commands(app: Flask) -> None:
    """Add the collection commands to ``flask``."""
    app.cli.add_command(seed_demo)
