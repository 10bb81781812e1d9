"""The job that makes a member's PDF report, and asking for it. Takes ids, reports progress,
and is safe to run twice (the stored file is replaced whole)."""

from __future__ import annotations

import logging

from maturity.db import db, utcnow
from maturity.errors import DomainError
from maturity.jobs.models import BackgroundTask, TaskStatus
from maturity.jobs.queue import enqueue_after_commit
from maturity.storage.services import put_file
from maturity.tenancy import unscoped
from surveys.dashboards.charts import report_charts
from surveys.dashboards.member import member_dashboard
from surveys.reports.pdf import pdf_from_html, report_html
from surveys.reports.services import (
    PDF,
    REPORT_KIND,
    report_filename,
    report_key,
    results_version,
    unfinished_report_task,
)
from surveys.rounds.models import Participation

log = logging.getLogger(__name__)

# The steps the progress bar counts: read the results, gather the charts, lay out the PDF,
# store it.
STEPS = ("Reading the results", "Adding the charts", "Laying out the PDF", "Saving the report")


def start_member_report(
    participation: Participation, *, requested_by_id: int | None
) -> BackgroundTask:
    """Queue the member's PDF report with a progress record; while one is waiting or
    running, asking again returns that one."""
    unfinished = unfinished_report_task(participation)
    if unfinished is not None:
        return unfinished
    dashboard = member_dashboard(participation)
    if dashboard.is_updating:
        raise DomainError("The results are being updated with new responses. Try again shortly.")
    if not dashboard.is_reportable:
        raise DomainError("There are not enough responses to report, so there is no report yet.")
    task = BackgroundTask(
        kind=REPORT_KIND,
        description=f"Report for {participation.organisation.name}, {participation.round.name}",
        requested_by_id=requested_by_id,
        collaborative_id=participation.collaborative_id,
        organisation_id=participation.organisation_id,
        result={"participation_id": participation.id},
    )
    db.session.add(task)
    db.session.flush()
    enqueue_after_commit(
        render_member_report, participation.id, task.id, job_id=f"member-report-{task.id}"
    )
    return task


def _step(task: BackgroundTask | None, done: int, status: TaskStatus = TaskStatus.RUNNING):
    if task is None:
        return
    task.done, task.total, task.status = done, len(STEPS), status
    task.message = STEPS[done] if done < len(STEPS) else "Ready"
    if status in (TaskStatus.FINISHED, TaskStatus.FAILED):
        task.finished_at = utcnow()
    db.session.commit()


def _make_report(participation: Participation, task: BackgroundTask | None) -> dict:
    _step(task, 0)
    dashboard = member_dashboard(participation)
    version = results_version(participation)
    _step(task, 1)
    charts = report_charts(participation) if dashboard.is_reportable else []
    _step(task, 2)
    content = pdf_from_html(report_html(dashboard, charts))
    _step(task, 3)
    put_file(
        report_key(participation.id),
        collaborative_id=participation.collaborative_id,
        content=content,
        content_type=PDF,
        filename=report_filename(participation),
    )
    return {"results_version": version, "size": len(content)}


def render_member_report(participation_id: int, task_id: int | None = None) -> None:
    """Make a member's PDF report for a round and store it, reporting progress."""
    with unscoped():
        participation = db.session.get(Participation, participation_id)
        task = db.session.get(BackgroundTask, task_id) if task_id is not None else None
        if participation is None:
            return
        try:
            made = _make_report(participation, task)
        except Exception:
            db.session.rollback()
            log.exception("Report for participation %s failed", participation_id)
            _step(task, 0, TaskStatus.FAILED)
            raise
        if task is not None:
            task.result = {**task.result, **made}
        _step(task, len(STEPS), TaskStatus.FINISHED)
