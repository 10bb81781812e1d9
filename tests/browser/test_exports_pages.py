"""The convenor's export and import pages in a real browser, with axe-core (QUALITY R19):
a download through the export form, an import file with a bad row (error summary naming
row and column, focus moving to the file input), then a good file."""

import csv
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from maturity.db import db
from surveys.exports import jobs
from surveys.responses.models import Response
from tests.browser.conftest import PHONE_WIDTH, assert_accessible, new_page, screenshot
from tests.factories import PASSWORD
from tests.surveys.export_support import answered_round, fresh_round

pytestmark = pytest.mark.browser


def _check(page, name: str) -> None:
    for label, width in (("desktop", 1280), ("phone", PHONE_WIDTH)):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        screenshot(page, f"exports-{name}-{label}")


def _file(tmp_path, name: str, rows: list[list[str]]):
    path = tmp_path / name
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_convenor_exports_and_imports_a_round(browser, live_server, world, tmp_path):
    world.collaborative.respondent_rows_export = True
    db.session.commit()
    source = answered_round(world).round
    target = fresh_round(source)
    page = new_page(browser, width=1280, height=900)
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill(world.convenor.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    page.goto(f"{live_server}/c/home-partnership/rounds/{source.id}")
    page.get_by_role("link", name="Export this round's results or responses").click()
    _check(page, "export")
    page.get_by_label("Responses: one anonymised row").check()
    page.get_by_label("CSV").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    exported = tmp_path / "responses.csv"
    download.value.save_as(exported)
    rows = list(csv.reader(io.StringIO(exported.read_text("utf-8-sig"))))
    assert rows[0][:2] == ["response", "member_id"] and len(rows) == 17

    page.goto(f"{live_server}/c/home-partnership/rounds/{target.id}/import")
    _check(page, "import")
    bad_rows = [row[:] for row in rows]
    bad_rows[2][1] = "nowhere-council"
    page.set_input_files("#file", str(_file(tmp_path, "bad.csv", bad_rows)))
    page.get_by_role("button", name="Import responses").click()
    summary = page.locator(".govuk-error-summary")
    assert "Row 3, column member_id" in summary.inner_text()
    _check(page, "import-errors")
    summary.locator("a").first.click()
    assert page.evaluate("document.activeElement && document.activeElement.id") == "file"

    page.set_input_files("#file", str(exported))
    page.get_by_role("button", name="Import responses").click()
    page.wait_for_url(f"{live_server}/c/home-partnership/rounds/{target.id}")
    assert "Imported 16 responses for 2 members" in page.inner_text("body")
    _check(page, "round-after-import")
    participation_ids = [p.id for p in target.participations]
    imported = db.session.scalar(
        sa.select(sa.func.count(Response.id)).where(
            Response.participation_id.in_(participation_ids)
        )
    )
    assert imported == 16

    # The same file again is refused: its responses are already in the round.
    page.goto(f"{live_server}/c/home-partnership/rounds/{target.id}/import")
    page.set_input_files("#file", str(exported))
    page.get_by_role("button", name="Import responses").click()
    summary = page.locator(".govuk-error-summary")
    assert f"is already in {target.name}" in summary.inner_text()
    page.context.close()


def test_a_large_export_shows_progress_and_a_download_link(
    browser, live_server, world, monkeypatch, tmp_path
):
    monkeypatch.setattr(jobs, "LARGE_EXPORT_ROWS", 10)
    world.collaborative.respondent_rows_export = True
    db.session.commit()
    source = answered_round(world).round
    page = new_page(browser, width=1280, height=900)
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Email address").fill(world.convenor.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.goto(f"{live_server}/c/home-partnership/rounds/{source.id}/export")
    page.get_by_label("Responses: one anonymised row").check()
    page.get_by_label("Excel workbook (XLSX)").check()
    page.get_by_role("button", name="Download").click()
    page.wait_for_url(f"{live_server}/c/home-partnership/rounds/{source.id}/exports/*")
    if not jobs_ran(page):  # with Redis the job waits for a worker: run it here
        task_id = int(page.url.rsplit("/", 1)[1])
        jobs.write_round_export(task_id)
        page.reload()
    _check(page, "export-job")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").click()
    saved = tmp_path / "responses.xlsx"
    download.value.save_as(saved)
    assert load_workbook(saved)["responses"].max_row == 17
    page.context.close()


def jobs_ran(page) -> bool:
    return page.locator("#task-status").inner_text() == "Finished"
