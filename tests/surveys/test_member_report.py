"""A coordinator's PDF report: made by a job with progress, stored, downloaded, readable
(tagged PDF with the member's name and headline figures), refused below the minimum group
size, and marked out of date once the results move on."""

import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from maturity.accounts.models import Role
from maturity.db import db
from maturity.jobs.models import BackgroundTask, TaskStatus
from maturity.storage.models import StoredFile
from maturity.storage.services import put_file
from surveys.dashboards.member import member_dashboard
from surveys.jobs import recompute_participation
from surveys.reports.jobs import STEPS, render_member_report
from surveys.reports.services import REPORT_KIND, report_key, results_version
from surveys.rounds.models import Participation
from tests.conftest import RequestIsolatingClient
from tests.factories import RoleGrantFactory, UserFactory
from tests.helpers import post_form, sign_in
from tests.jobs_support import work_queue
from tests.surveys.dashboard_support import seed_results

DASHBOARD = "/o/home-council/results/"


@pytest.fixture
def seeded(world):
    return seed_results(world)


def client_for(app, email: str):
    app.test_client_class = RequestIsolatingClient
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def run_queued_jobs(app) -> None:
    """With Redis the job waits in the queue: work it. Without, it already ran in-process."""
    redis = app.extensions.get("redis")
    if redis is not None:
        work_queue(app, redis)


def report_tasks() -> list[BackgroundTask]:
    db.session.expire_all()
    return list(
        db.session.scalars(sa.select(BackgroundTask).where(BackgroundTask.kind == REPORT_KIND))
    )


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def make_report(app, client, round_id: int) -> None:
    response = post_form(client, f"/o/home-council/results/{round_id}/report", page=DASHBOARD)
    assert response.status_code == 302
    assert response.location.endswith(f"/o/home-council/results/{round_id}/report")
    run_queued_jobs(app)


def test_the_coordinator_makes_and_downloads_a_readable_tagged_report(app, world, seeded):
    client = client_for(app, world.coordinator.email)
    round_id = seeded.latest_round_id

    make_report(app, client, round_id)

    (task,) = report_tasks()
    assert task.status == TaskStatus.FINISHED
    assert (task.done, task.total) == (len(STEPS), len(STEPS))
    page = client.get(f"/o/home-council/results/{round_id}/report").get_data(as_text=True)
    assert "Download the report (PDF" in page
    assert 'http-equiv="refresh"' not in page
    download = client.get(f"/o/home-council/results/{round_id}/report.pdf")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    text = pdf_text(download.data)
    dashboard = member_dashboard(db.session.get(Participation, seeded.home_participation_id))
    assert "Home Council" in text
    assert dashboard.round.name in text
    for row in dashboard.headline:
        assert f"{row.mean:.2f}" in text
    assert re.sub(r"\s+", " ", dashboard.next_levels[0].descriptor)[:60] in text
    root = PdfReader(io.BytesIO(download.data)).trailer["/Root"]
    assert "/StructTreeRoot" in root  # tagged: headings and tables for screen readers
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"

    render_member_report(seeded.home_participation_id)  # again: safe to run twice
    keys = db.session.scalars(sa.select(StoredFile.key)).all()
    assert keys.count(report_key(seeded.home_participation_id)) == 1


def test_the_progress_page_shows_a_bar_and_refreshes_while_the_report_is_made(app, world, seeded):
    participation = db.session.get(Participation, seeded.home_participation_id)
    db.session.add(
        BackgroundTask(
            kind=REPORT_KIND,
            description="Report",
            collaborative_id=participation.collaborative_id,
            organisation_id=participation.organisation_id,
            status=TaskStatus.RUNNING,
            done=1,
            total=len(STEPS),
            message=STEPS[1],
            result={"participation_id": participation.id},
        )
    )
    db.session.commit()
    client = client_for(app, world.coordinator.email)

    page = client.get(f"/o/home-council/results/{seeded.latest_round_id}/report")
    dashboard = client.get(DASHBOARD).get_data(as_text=True)

    html = page.get_data(as_text=True)
    assert (
        f'<progress class="app-progress govuk-!-margin-bottom-6" max="{len(STEPS)}" value="1"'
        in (html)
    )
    assert '<meta http-equiv="refresh" content="2">' in html
    assert f"{STEPS[1]} (25%)" in html
    assert "Your report is being made" in dashboard
    assert "Make a PDF report" not in dashboard


def test_a_report_says_when_the_results_have_moved_on(app, world, seeded):
    participation = db.session.get(Participation, seeded.home_participation_id)
    put_file(
        report_key(participation.id),
        collaborative_id=participation.collaborative_id,
        content=b"%PDF-1.7 made earlier",
        content_type="application/pdf",
    )
    db.session.add(
        BackgroundTask(
            kind=REPORT_KIND,
            description="Report",
            collaborative_id=participation.collaborative_id,
            organisation_id=participation.organisation_id,
            status=TaskStatus.FINISHED,
            done=len(STEPS),
            total=len(STEPS),
            result={
                "participation_id": participation.id,
                "results_version": results_version(participation),
            },
        )
    )
    db.session.commit()
    client = client_for(app, world.coordinator.email)
    before = client.get(DASHBOARD).get_data(as_text=True)
    participation.answers_version += 1
    db.session.commit()
    recompute_participation(participation.id)

    html = client.get(DASHBOARD).get_data(as_text=True)

    assert "The results have changed since this report was made" not in before
    assert "Download the report (PDF" in html
    assert "The results have changed since this report was made" in html
    assert "Make a new report" in html


def test_no_report_for_a_member_below_k(app, world, seeded):
    user = UserFactory(email="small@example.org", name="Sam Small")
    small = db.session.get(Participation, seeded.small_participation_id)
    RoleGrantFactory(user=user, role=Role.COORDINATOR, organisation=small.organisation)
    db.session.commit()
    client = client_for(app, user.email)
    base = f"/o/small-council/results/{seeded.latest_round_id}"

    response = post_form(client, f"{base}/report", page="/o/small-council/results/")

    assert response.status_code == 302
    followed = client.get(response.location).get_data(as_text=True)
    assert "There are not enough responses to report" in followed
    assert report_tasks() == []
    assert client.get(f"{base}/report.pdf").status_code == 404


def _text_off_the_page(content: bytes) -> list[tuple[int, str]]:
    """Every piece of text drawn beyond a page's right edge (cut off in print)."""
    off = []
    for number, page in enumerate(PdfReader(io.BytesIO(content)).pages, start=1):
        width = float(page.mediabox.width)

        def visit(text, cm, tm, font, size, number=number, width=width):
            if text.strip() and tm[4] * cm[0] + cm[4] > width:
                off.append((number, text.strip()))

        page.extract_text(visitor_text=visit)
    return off


def test_every_table_of_the_report_fits_the_page_with_every_dimension_over_rounds(
    app, world, seeded
):
    render_member_report(seeded.home_participation_id)
    content = db.session.scalar(
        sa.select(StoredFile.content).where(
            StoredFile.key == report_key(seeded.home_participation_id)
        )
    )
    assert _text_off_the_page(content) == []
    text = pdf_text(content)
    history = text[text.index("Results over rounds (mean scores)") :]
    dashboard = member_dashboard(db.session.get(Participation, seeded.home_participation_id))
    assert len(dashboard.history) > 1
    for name in dashboard.dimension_names:
        assert re.sub(r"\s+", " ", name) in history
    for row in dashboard.history:
        assert row.round_name in history
        for mean in row.dimension_means:
            if mean is not None:
                assert f"{mean:.2f}" in history
