"""Exports of a round: which tables there are, who may have them, and the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from maturity.audit.services import record_event
from maturity.collaboratives.models import Collaborative
from maturity.db import db
from maturity.errors import DomainError
from maturity.exports.results import results_table
from maturity.exports.writers import Sheet, Table, export_format
from maturity.slugs import slugify
from surveys.exports.responses import responses_table
from surveys.rounds.models import Round


@dataclass(frozen=True)
class ExportKind:
    """One table a convenor can export from a round."""

    name: str
    label: str
    sheet_name: str
    table: Callable[[Round], Table]
    needs_permission: bool = False


EXPORT_KINDS: dict[str, ExportKind] = {
    "results": ExportKind(
        "results",
        "Results: every member on every dimension (n, mean, 95% CI, level, rank, change)",
        "results",
        results_table,
    ),
    "responses": ExportKind(
        "responses",
        "Responses: one anonymised row per submitted response, one column per question",
        "responses",
        responses_table,
        needs_permission=True,
    ),
}


def export_kind(name: str) -> ExportKind:
    """The export kind called ``name``, or a DomainError naming the ones there are."""
    try:
        return EXPORT_KINDS[name]
    except KeyError:
        known = ", ".join(EXPORT_KINDS)
        raise DomainError(f"Choose what to export: {known}", field="what") from None


def kinds_allowed(collaborative: Collaborative) -> list[ExportKind]:
    """The exports this collaborative's settings allow."""
    return [
        kind
        for kind in EXPORT_KINDS.values()
        if not kind.needs_permission or collaborative.respondent_rows_export
    ]


def check_allowed(collaborative: Collaborative, kind: ExportKind) -> None:
    """Refuse respondent-level rows unless the collaborative's settings allow them."""
    if kind.needs_permission and not collaborative.respondent_rows_export:
        raise DomainError(
            f"{collaborative.name} does not allow respondent-level exports: a convenor can "
            "change that in the collaborative's settings",
            field="what",
        )


def export_filename(round_: Round, kind: ExportKind, fmt: str) -> str:
    """A file name that says what the export holds, e.g. ``northern-autumn-2025-results.csv``."""
    extension = export_format(fmt).extension
    return f"{round_.collaborative.slug}-{slugify(round_.slug)}-{kind.name}.{extension}"


def allowed_export(round_: Round, what: str, fmt: str) -> ExportKind:
    """The kind of export asked for, once the format is known and the collaborative's
    settings allow it; a DomainError otherwise."""
    kind = export_kind(what)
    try:
        export_format(fmt)
    except ValueError as error:
        raise DomainError(str(error), field="format") from None
    check_allowed(db.session.get(Collaborative, round_.collaborative_id), kind)
    return kind


def record_export(round_: Round, kind: ExportKind, fmt: str, *, actor_id: int | None) -> None:
    """Add the export to the audit trail."""
    record_event(
        "export.created",
        "round",
        round_.id,
        actor_id=actor_id,
        collaborative_id=round_.collaborative_id,
        what=kind.name,
        format=fmt,
    )


def export_sheets(round_: Round, kind: ExportKind) -> list[Sheet]:
    """The export's sheets; respondent rows are read lazily, as the file is written."""
    headers, rows = kind.table(round_)
    return [Sheet(kind.sheet_name, headers, rows)]


def start_export(round_: Round, what: str, fmt: str, *, actor_id: int | None) -> list[Sheet]:
    """Check an export is allowed, record it in the audit trail and return its sheets.
    The caller commits."""
    kind = allowed_export(round_, what, fmt)
    record_export(round_, kind, fmt, actor_id=actor_id)
    return export_sheets(round_, kind)
