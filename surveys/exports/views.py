"""The convenor's export and import pages for a round.

An export is a POST (it records an audit event) whose answer is the file itself, written
as it streams: results are small, and respondent-level rows are read on a server-side
cursor and written row by row in flat memory. Respondent rows of a large round are
written by a job instead, with a progress page and a download link when the file is ready.
"""

from flask import (
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from maturity.db import db
from maturity.errors import DomainError
from maturity.exports.writers import export_format, iter_export
from maturity.jobs.models import BackgroundTask
from maturity.storage.services import find_file
from maturity.storage.web import stored_file_response
from maturity.tenancy import collaborative_blueprint, get_or_404, stream_in_scope
from maturity.web import show_domain_error
from surveys.exports import jobs, services
from surveys.exports.forms import ExportForm, ImportResponsesForm
from surveys.exports.importing import ResponseImportError, import_responses, read_csv
from surveys.rounds.models import Round, RoundState

bp = collaborative_blueprint("exports", __name__, "/rounds")


def _round(round_id: int) -> Round:
    return get_or_404(Round, round_id, collaborative_id=g.collaborative.id)


def _download(round_: Round, form: ExportForm) -> Response:
    fmt = form.format.data
    kind = services.allowed_export(round_, form.what.data, fmt)
    if jobs.is_large(round_, kind):
        task = jobs.start_export_job(round_, kind.name, fmt, requested_by_id=current_user.id)
        db.session.commit()
        return redirect(url_for(".export_task_show", round_id=round_.id, export_task_id=task.id))
    services.record_export(round_, kind, fmt, actor_id=current_user.id)
    sheets = services.export_sheets(round_, kind)
    db.session.commit()
    filename = services.export_filename(round_, kind, fmt)
    return Response(
        stream_in_scope(iter_export(fmt, sheets)),
        mimetype=export_format(fmt).content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/<int:round_id>/export", methods=["GET", "POST"])
def round_export(round_id: int):
    """Choose what to export from a round and in which format, then download it."""
    round_ = _round(round_id)
    form = ExportForm(services.kinds_allowed(g.collaborative))
    if form.validate_on_submit():
        try:
            return _download(round_, form)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
    return render_template(
        "exports/round_export.html",
        round=round_,
        form=form,
        tasks=jobs.recent_export_tasks(round_),
        large_rows=jobs.LARGE_EXPORT_ROWS,
    )


def _export_task(round_: Round, export_task_id: int) -> BackgroundTask:
    task = get_or_404(BackgroundTask, export_task_id, collaborative_id=g.collaborative.id)
    if task.kind != jobs.EXPORT_TASK or task.result.get("round_id") != round_.id:
        abort(404)
    return task


@bp.get("/<int:round_id>/exports/<int:export_task_id>")
def export_task_show(round_id: int, export_task_id: int):
    """A large export's progress; the page refreshes itself until the file is ready."""
    round_ = _round(round_id)
    task = _export_task(round_, export_task_id)
    return render_template("exports/export_task.html", round=round_, task=task)


@bp.get("/<int:round_id>/exports/<int:export_task_id>/file")
def export_file_download(round_id: int, export_task_id: int):
    """The file a finished export job wrote."""
    task = _export_task(_round(round_id), export_task_id)
    stored = find_file(task.result.get("file_key", "")) if task.result.get("file_key") else None
    if stored is None:
        abort(404)
    return stored_file_response(stored, download=True, max_age=0)


@bp.route("/<int:round_id>/import", methods=["GET", "POST"])
def round_import(round_id: int):
    """Import responses from a CSV file into a round: every row, or none if any is wrong."""
    round_ = _round(round_id)
    form = ImportResponsesForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            result = import_responses(round_, read_csv(form.content), actor_id=current_user.id)
        except ResponseImportError as error:
            db.session.rollback()
            problems = error.messages
        else:
            db.session.commit()
            flash(
                f"Imported {result.imported} responses for {len(result.participation_ids)} "
                "members. Their results are being worked out again.",
                "success",
            )
            return redirect(url_for("rounds.round_show", round_id=round_.id))
    return render_template(
        "exports/round_import.html",
        round=round_,
        form=form,
        problems=problems,
        is_published=round_.state == RoundState.PUBLISHED,
    )
