"""Large exports run as jobs: the file is written by a worker, with progress shown as a
progress bar, and kept in the shared file storage for the convenor to download.

A round's results are always small; respondent-level rows of a big round (more than
``LARGE_EXPORT_ROWS`` responses) go to a job, so no web request spends minutes writing an
XLSX workbook or a long CSV.
"""

import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa

from maturity.db import db, utcnow
from maturity.exports.writers import Sheet, export_format, write_export
from maturity.jobs.models import BackgroundTask, TaskStatus
from maturity.jobs.queue import enqueue_after_commit
from maturity.storage.services import put_file
from maturity.tenancy import unscoped
from surveys.exports import services
from surveys.exports.responses import reportable_participation_ids
from surveys.responses.models import Response, ResponseStatus
from surveys.rounds.models import Round

EXPORT_TASK = "export"
LARGE_EXPORT_ROWS = 5000
PROGRESS_EVERY = 1000


def rows_to_export(round_: Round, kind: services.ExportKind) -> int:
    """How many rows a respondent-level export of the round holds (0 for results)."""
    if not kind.needs_permission:
        return 0
    participation_ids = reportable_participation_ids(round_)
    return db.session.scalar(
        sa.select(sa.func.count(Response.id)).where(
            Response.participation_id.in_(participation_ids),
            Response.status == ResponseStatus.SUBMITTED,
        )
    )


def is_large(round_: Round, kind: services.ExportKind) -> bool:
    """Whether an export is big enough to be written by a job rather than a request."""
    return rows_to_export(round_, kind) > LARGE_EXPORT_ROWS


def export_key(task: BackgroundTask, filename: str) -> str:
    """Where a job's export file is stored."""
    return f"exports/{task.collaborative_id}/{task.id}/{filename}"


def start_export_job(
    round_: Round, what: str, fmt: str, *, requested_by_id: int | None
) -> BackgroundTask:
    """Check and record an export, and queue the job that writes it (once the caller
    commits); the task carries its progress and, when done, the stored file's key."""
    kind = services.allowed_export(round_, what, fmt)
    services.record_export(round_, kind, fmt, actor_id=requested_by_id)
    task = BackgroundTask(
        kind=EXPORT_TASK,
        description=f"Export the {kind.name} of {round_.name} as {fmt.upper()}",
        requested_by_id=requested_by_id,
        collaborative_id=round_.collaborative_id,
        total=rows_to_export(round_, kind),
        result={"round_id": round_.id, "what": kind.name, "format": fmt},
    )
    db.session.add(task)
    db.session.flush()
    enqueue_after_commit(write_round_export, task.id, job_id=f"export-{task.id}")
    return task


def recent_export_tasks(round_: Round, limit: int = 10) -> list[BackgroundTask]:
    """The round's latest export jobs, newest first (their files stay downloadable)."""
    tasks = db.session.scalars(
        sa.select(BackgroundTask)
        .where(
            BackgroundTask.kind == EXPORT_TASK,
            BackgroundTask.collaborative_id == round_.collaborative_id,
        )
        .order_by(BackgroundTask.id.desc())
        .limit(limit * 5)
    )
    return [task for task in tasks if task.result.get("round_id") == round_.id][:limit]


def _report_progress(task_id: int, done: int, total: int) -> None:
    """Progress on a connection of its own: the export's cursor stays open meanwhile."""
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(BackgroundTask)
            .where(BackgroundTask.id == task_id)
            .values(done=min(done, total), total=total, status=TaskStatus.RUNNING)
        )


def _counted(rows: Iterable[Any], task_id: int, total: int) -> Iterator[Any]:
    for number, row in enumerate(rows, start=1):
        if number % PROGRESS_EVERY == 0:
            _report_progress(task_id, number, total)
        yield row


def _finish(task: BackgroundTask, status: TaskStatus, message: str = "", **result) -> None:
    task.status, task.message = status, message
    task.done = task.total if status == TaskStatus.FINISHED else task.done
    task.result = {**task.result, **result}
    task.finished_at = utcnow()


def write_round_export(task_id: int) -> None:
    """Write a queued export to the file storage, reporting progress as it goes."""
    with unscoped():
        task = db.session.get(BackgroundTask, task_id)
        if task is None or task.kind != EXPORT_TASK or task.is_finished:
            return
        round_ = db.session.get(Round, task.result["round_id"])
        kind, fmt = services.export_kind(task.result["what"]), task.result["format"]
        filename = services.export_filename(round_, kind, fmt)
        total, collaborative_id = task.total, task.collaborative_id
        _report_progress(task_id, 0, total)
        try:
            (sheet,) = services.export_sheets(round_, kind)
            counted = Sheet(sheet.name, sheet.headers, _counted(sheet.rows, task_id, total))
            with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as spool:
                write_export(fmt, [counted], spool)
                spool.seek(0)
                content = spool.read()
        except Exception as error:
            db.session.rollback()
            task = db.session.get(BackgroundTask, task_id)
            _finish(task, TaskStatus.FAILED, f"The export could not be written: {error}"[:500])
            db.session.commit()
            raise
        db.session.expire_all()
        task = db.session.get(BackgroundTask, task_id)
        key = export_key(task, filename)
        put_file(
            key,
            collaborative_id=collaborative_id,
            content=content,
            content_type=export_format(fmt).content_type,
            filename=filename,
        )
        _finish(task, TaskStatus.FINISHED, file_key=key, filename=filename)
        db.session.commit()
