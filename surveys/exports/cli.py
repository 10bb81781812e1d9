"""Export and import commands: flask --app wsgi export … / import-responses …"""

import os
import tempfile
from pathlib import Path

import click
from flask import Flask

from maturity.db import db
from maturity.errors import DomainError
from maturity.exports.writers import FORMATS, write_export
from surveys.exports.importing import ResponseImportError, import_responses, read_csv
from surveys.exports.services import EXPORT_KINDS, start_export
from surveys.rounds.models import Round
from surveys.rounds.services import round_by_reference


def _round(reference: str) -> Round:
    round_ = round_by_reference(reference)
    if round_ is None:
        raise click.ClickException(f"No round {reference}; `flask --app wsgi rounds` lists them.")
    return round_


def _write_atomically(path: Path, write) -> int:
    """Write through a temporary file beside ``path``, so a failed export leaves no half file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            written = write(out)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return written


@click.command("export")
@click.argument("reference", metavar="COLLABORATIVE/ROUND")
@click.option("--what", type=click.Choice(list(EXPORT_KINDS)), required=True)
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), required=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export(reference: str, what: str, fmt: str, output: Path) -> None:
    """Export a round's results or anonymised responses to a file."""
    round_ = _round(reference)
    try:
        sheets = start_export(round_, what, fmt, actor_id=None)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    written = _write_atomically(output, lambda out: write_export(fmt, sheets, out))
    db.session.commit()
    click.echo(f"Wrote the {what} of {reference} to {output} ({written:,} bytes).")


@click.command("import-responses")
@click.argument("reference", metavar="COLLABORATIVE/ROUND")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_responses_command(reference: str, file: Path) -> None:
    """Import responses into a round from a CSV file in the respondent export's format:
    every row, or none if any row is wrong."""
    round_ = _round(reference)
    try:
        result = import_responses(round_, read_csv(file.read_bytes()), actor_id=None)
    except ResponseImportError as error:
        db.session.rollback()
        click.echo(f"Nothing was imported. {file} has {len(error.problems)} problem(s):", err=True)
        for message in error.messages:
            click.echo(f"  {message}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(
        f"Imported {result.imported} responses for {len(result.participation_ids)} members "
        f"into {reference}; their results are being recomputed."
    )


def register_commands(app: Flask) -> None:
    """Add the export and import commands to ``flask``."""
    for command in (export, import_responses_command):
        app.cli.add_command(command)
