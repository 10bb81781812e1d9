"""Asking for a member's PDF report, and finding it and its progress.

The report is one stored file per participation, replaced each time it is made; the task
that made it remembers which results version it shows, so the page can say when the
results have moved on since.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from maturity.db import db
from maturity.jobs.models import BackgroundTask, TaskStatus
from maturity.results.models import ParticipationResult
from maturity.slugs import slugify
from maturity.storage.models import StoredFile
from maturity.storage.services import find_file
from surveys.rounds.models import Participation

REPORT_KIND = "member_report"
PDF = "application/pdf"


def report_key(participation_id: int) -> str:
    """Where a member's report for a round is stored."""
    return f"reports/participation-{participation_id}/report.pdf"


def report_filename(participation: Participation) -> str:
    """The name a downloaded report is saved under."""
    organisation = slugify(participation.organisation.name)
    return f"{organisation}-{participation.round.slug}-report.pdf"


def find_report(participation: Participation) -> StoredFile | None:
    """The member's latest report for the round, if one has been made."""
    return find_file(report_key(participation.id))


def results_version(participation: Participation) -> int:
    """The answers version the member's stored results were computed from."""
    version = db.session.scalar(
        sa.select(ParticipationResult.computed_from_version).where(
            ParticipationResult.participation_id == participation.id
        )
    )
    return version or 0


def _report_tasks(participation: Participation) -> list[BackgroundTask]:
    """Every request for this member's report, newest first."""
    tasks = db.session.scalars(
        sa.select(BackgroundTask)
        .where(
            BackgroundTask.kind == REPORT_KIND,
            BackgroundTask.organisation_id == participation.organisation_id,
            BackgroundTask.collaborative_id == participation.collaborative_id,
        )
        .order_by(BackgroundTask.id.desc())
    )
    return [t for t in tasks if t.result.get("participation_id") == participation.id]


def unfinished_report_task(participation: Participation) -> BackgroundTask | None:
    """A request for this member's report that is still waiting or running."""
    return next((t for t in _report_tasks(participation) if not t.is_finished), None)


@dataclass(frozen=True)
class ReportStatus:
    """The latest request for a member's report, and the report it last made."""

    task: BackgroundTask | None
    made_by: BackgroundTask | None
    stored: StoredFile | None
    current_version: int

    @property
    def is_running(self) -> bool:
        return self.task is not None and not self.task.is_finished

    @property
    def has_failed(self) -> bool:
        return self.task is not None and self.task.status == TaskStatus.FAILED

    @property
    def is_ready(self) -> bool:
        return self.stored is not None

    @property
    def is_outdated(self) -> bool:
        """The results have changed since the stored report was made."""
        if self.stored is None or self.made_by is None:
            return False
        return self.made_by.result.get("results_version") != self.current_version


def report_status(participation: Participation) -> ReportStatus:
    """The member's report and the latest request for one, as the pages show them."""
    tasks = _report_tasks(participation)
    made_by = next((t for t in tasks if t.status == TaskStatus.FINISHED), None)
    return ReportStatus(
        task=tasks[0] if tasks else None,
        made_by=made_by,
        stored=find_report(participation),
        current_version=results_version(participation),
    )
