"""Convenor exports of a round (DESIGN §6, QUALITY R3 and R8): the results export agrees
with the results tables in every format, respondent-level rows are anonymised, only
allowed where the collaborative says so and leave out members below the minimum group
size, every cell is formula-safe, and every export is in the audit trail."""

import csv
import io
import json

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from maturity.audit.models import AuditEvent
from maturity.db import db
from maturity.exports.results import RESULT_HEADERS, results_table
from maturity.exports.writers import FORMULA_TRIGGERS
from maturity.frameworks.models import Item
from maturity.jobs.models import BackgroundTask, TaskStatus
from maturity.results.models import OVERALL, DimensionResult, ParticipationResult
from maturity.storage.models import StoredFile
from surveys.exports import jobs
from surveys.exports.responses import responses_table, survey_items
from surveys.responses.models import Response
from tests.conftest import World
from tests.helpers import csrf_token, post_form, sign_in
from tests.surveys.export_support import answered_round, fresh_round

NUMBER_COLUMNS = ("n", "mean", "median", "q1", "q3", "sd", "ci_low", "ci_high", "level", "rank")


@pytest.fixture
def answered(world: World):
    return answered_round(world)


@pytest.fixture
def convenor(client, world):
    sign_in(client, world.convenor.email)
    return client


def _allow_rows(world: World, allowed: bool = True) -> None:
    world.collaborative.respondent_rows_export = allowed
    db.session.commit()


def _export_path(round_id: int) -> str:
    return f"/c/home-partnership/rounds/{round_id}/export"


def download(client, round_id: int, what: str, fmt: str):
    """POST the export form; the streamed body is read inside the request (as a server
    does: the test client would otherwise read the rest in another context)."""
    token = csrf_token(client, _export_path(round_id))
    data = {"csrf_token": token, "what": what, "format": fmt}
    return client.post(_export_path(round_id), data=data, buffered=True)


def parse(fmt: str, data: bytes, sheet: str) -> list[dict]:
    """An export file as a list of {header: value} (numbers as numbers where typed)."""
    if fmt == "json":
        return json.loads(data)[sheet]
    if fmt == "xlsx":
        rows = list(load_workbook(io.BytesIO(data))[sheet].iter_rows(values_only=True))
        return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return [{k: _csv_number(v) for k, v in row.items()} for row in reader]


def _csv_number(text: str):
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        return text


def expected_results(round_id: int) -> dict[tuple[str, str], dict]:
    """The results tables, read independently of the export code."""
    names = {row.organisation_id: row for row in db.session.scalars(sa.select(ParticipationResult))}
    expected = {}
    for row in db.session.scalars(
        sa.select(DimensionResult).where(
            DimensionResult.round_id == round_id, DimensionResult.segment == "all"
        )
    ):
        expected[(row.organisation_id, row.dimension_key)] = {
            "suppressed": row.suppressed,
            **{name: getattr(row, name) for name in ("n", "mean", "median", "q1", "q3", "sd")},
            "ci_low": row.ci_low,
            "ci_high": row.ci_high,
            "level": row.level,
            "rank": row.rank,
            "change": row.change_difference,
        }
    for organisation_id, row in names.items():
        expected[(organisation_id, OVERALL)] = {
            "suppressed": row.suppressed,
            "n": row.n_submitted,
            "mean": row.overall_mean,
            "level": row.overall_level,
        }
    return expected


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_results_export_agrees_with_the_results_tables(convenor, world, answered, fmt):
    response = download(convenor, answered.round.id, "results", fmt)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = parse(fmt, response.data, "results")
    assert list(rows[0]) == RESULT_HEADERS
    slugs = {world.organisation.slug: world.organisation.id, world.peer.slug: world.peer.id}
    slugs[answered.small.slug] = answered.small.id
    expected = expected_results(answered.round.id)
    dimensions = len(answered.round.framework_version.dimensions)
    assert len(rows) == len(expected) == 3 * (dimensions + 1)  # members × (dimensions, overall)
    for row in rows:
        want = expected[(slugs[row["member_id"]], row["dimension_key"])]
        assert bool(row["suppressed"] in (True, "true")) == want["suppressed"]
        for column in (*NUMBER_COLUMNS, "change"):
            if want["suppressed"] or column not in want or want[column] is None:
                assert row[column] is None, (row["member_id"], column)
            else:
                assert row[column] == pytest.approx(want[column], abs=1e-12), column


def test_results_export_reports_no_figure_about_fewer_than_k(convenor, answered):
    rows = parse("json", download(convenor, answered.round.id, "results", "json").data, "results")
    small = [row for row in rows if row["member_id"] == answered.small.slug]
    assert small and all(row["suppressed"] for row in small)
    assert all(row[c] is None for row in small for c in (*NUMBER_COLUMNS, "change", "percentile"))
    shown = [row for row in rows if not row["suppressed"]]
    assert shown and all(row["n"] >= 5 for row in shown)


def test_results_hidden_once_k_is_raised_above_a_stored_group(world, answered):
    world.collaborative.min_group_size = 8  # the peer has 7 respondents
    db.session.commit()
    headers, rows = results_table(answered.round)
    peer_rows = [dict(zip(headers, r, strict=True)) for r in rows if r[2] == world.peer.slug]
    assert peer_rows and all(r["suppressed"] and r["mean"] is None for r in peer_rows)


def test_respondent_rows_need_the_collaborative_setting(convenor, world, answered):
    page = convenor.get(_export_path(answered.round.id)).get_data(as_text=True)
    assert 'value="responses"' not in page and "do not allow them" in page
    refused = download(convenor, answered.round.id, "responses", "csv")
    assert refused.status_code == 200 and "attachment" not in refused.headers.get(
        "Content-Disposition", ""
    )
    assert not db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "export.created")
    ).all()
    _allow_rows(world)
    page = convenor.get(_export_path(answered.round.id)).get_data(as_text=True)
    assert 'value="responses"' in page
    assert download(convenor, answered.round.id, "responses", "csv").status_code == 200


def test_the_setting_is_changed_on_the_settings_page_and_audited(convenor, world):
    response = post_form(
        convenor,
        "/c/home-partnership/settings",
        {"peer_visibility": "named", "min_group_size": "5", "respondent_rows_export": "y"},
    )
    assert response.status_code == 302
    db.session.refresh(world.collaborative)
    assert world.collaborative.respondent_rows_export is True
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "collaborative.settings_changed")
    ).one()
    assert event.details["respondent_rows_export"] == [False, True]
    post_form(
        convenor,
        "/c/home-partnership/settings",
        {"peer_visibility": "named", "min_group_size": "5"},
    )
    db.session.refresh(world.collaborative)
    assert world.collaborative.respondent_rows_export is False


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_respondent_rows_are_anonymised_and_leave_out_small_members(convenor, world, answered, fmt):
    _allow_rows(world)
    response = download(convenor, answered.round.id, "responses", fmt)
    rows = parse(fmt, response.data, "responses")
    text = response.data.decode("latin-1")
    submitted = db.session.scalars(
        sa.select(Response).where(Response.organisation_id != answered.small.id)
    ).all()
    assert len(rows) == len(submitted) == 16
    assert {row["member_id"] for row in rows} == {"home-council", "peer-council"}
    ids = {row["response"] for row in rows}
    assert len(ids) == 16 and not ids & {str(r.id) for r in submitted}
    for secret in ("example.org", "Rory", "2027-03"):
        assert secret not in text
    items = survey_items(answered.round.framework_version)
    assert list(rows[0]) == ["response", "member_id", *(item.key for item in items)]


def test_respondent_rows_are_formula_safe_and_numbers_typed(convenor, world, answered):
    _allow_rows(world)
    data = download(convenor, answered.round.id, "responses", "xlsx").data
    sheet = load_workbook(io.BytesIO(data))["responses"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not any(value.startswith(FORMULA_TRIGGERS) for value in texts)
    assert any(value.startswith("'=HYPERLINK") for value in texts)
    headers = [c.value for c in sheet[1]]
    level_column = headers.index("collaboration_level") + 1
    levels = [sheet.cell(row=r, column=level_column) for r in range(2, sheet.max_row + 1)]
    assert any(cell.data_type == "n" for cell in levels)
    assert sheet.freeze_panes == "A2"


def test_responses_table_streams_rows(world, answered):
    headers, rows = responses_table(answered.round)
    first = next(iter(rows))
    assert len(first) == len(headers)


def test_every_export_is_audited(convenor, world, answered):
    _allow_rows(world)
    download(convenor, answered.round.id, "results", "xlsx")
    download(convenor, answered.round.id, "responses", "json")
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "export.created").order_by(AuditEvent.id)
    ).all()
    assert [(e.details["what"], e.details["format"]) for e in events] == [
        ("results", "xlsx"),
        ("responses", "json"),
    ]
    assert {e.actor_id for e in events} == {world.convenor.id}
    assert {e.subject_id for e in events} == {str(answered.round.id)}


def test_a_bad_choice_re_renders_the_form_with_an_error(convenor, answered):
    response = download(convenor, answered.round.id, "everything", "pdf")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "govuk-error-summary" in page


def test_the_round_page_links_to_export_and_import(convenor, answered):
    page = convenor.get(f"/c/home-partnership/rounds/{answered.round.id}").get_data(as_text=True)
    assert _export_path(answered.round.id) in page
    assert f"/c/home-partnership/rounds/{answered.round.id}/import" in page


def test_items_of_other_frameworks_never_appear(world, answered):
    headers, _ = responses_table(answered.round)
    keys = set(
        db.session.scalars(
            sa.select(Item.key).where(Item.version_id == answered.round.framework_version_id)
        )
    )
    assert set(headers[2:]) == keys


def _large_export(monkeypatch, convenor, world, answered, fmt: str = "xlsx"):
    """Ask for respondent rows above the (lowered) size that goes to a job; run the job
    here when a Redis queue holds it (the in-process default has already run it)."""
    monkeypatch.setattr(jobs, "LARGE_EXPORT_ROWS", 10)
    _allow_rows(world)
    response = download(convenor, answered.round.id, "responses", fmt)
    assert response.status_code == 302
    task = db.session.scalars(
        sa.select(BackgroundTask).where(BackgroundTask.kind == jobs.EXPORT_TASK)
    ).one()
    assert response.location.endswith(f"/rounds/{answered.round.id}/exports/{task.id}")
    db.session.expire_all()
    if not task.is_finished:
        jobs.write_round_export(task.id)
        db.session.expire_all()
    return task


def test_a_large_export_runs_as_a_job_with_progress_and_a_download(
    monkeypatch, convenor, world, answered
):
    task = _large_export(monkeypatch, convenor, world, answered)
    assert task.status == TaskStatus.FINISHED and task.done == task.total == 16
    page = convenor.get(f"/c/home-partnership/rounds/{answered.round.id}/exports/{task.id}")
    html = page.get_data(as_text=True)
    assert "16 of 16 responses written" in html and 'http-equiv="refresh"' not in html
    file_url = f"/c/home-partnership/rounds/{answered.round.id}/exports/{task.id}/file"
    assert file_url in html
    listed = convenor.get(_export_path(answered.round.id)).get_data(as_text=True)
    assert f"/exports/{task.id}" in listed and "ready to download" in listed
    downloaded = convenor.get(file_url)
    assert "attachment" in downloaded.headers["Content-Disposition"]
    rows = parse("xlsx", downloaded.data, "responses")
    assert len(rows) == 16
    assert {row["member_id"] for row in rows} == {"home-council", "peer-council"}
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export.created"))
    assert [(e.details["what"], e.details["format"]) for e in events] == [("responses", "xlsx")]


def test_a_queued_export_shows_its_progress_and_no_file_yet(convenor, world, answered):
    task = BackgroundTask(
        kind="export",
        description="Export the responses",
        collaborative_id=world.collaborative.id,
        done=1000,
        total=4000,
        status=TaskStatus.RUNNING,
        result={"round_id": answered.round.id, "what": "responses", "format": "csv"},
    )
    db.session.add(task)
    db.session.commit()
    base = f"/c/home-partnership/rounds/{answered.round.id}/exports/{task.id}"
    html = convenor.get(base).get_data(as_text=True)
    assert "1,000 of 4,000 responses written (25%)" in html and 'http-equiv="refresh"' in html
    assert convenor.get(f"{base}/file").status_code == 404


def test_a_failed_export_job_says_so(monkeypatch, world, answered):
    _allow_rows(world)
    task = jobs.start_export_job(answered.round, "responses", "csv", requested_by_id=None)
    monkeypatch.setattr(jobs.services, "export_sheets", _broken_sheets)
    db.session.commit()  # with no Redis the job runs now, and fails; with Redis it waits
    db.session.expire_all()
    if not task.is_finished:
        with pytest.raises(RuntimeError):
            jobs.write_round_export(task.id)
        db.session.expire_all()
    assert task.status == TaskStatus.FAILED and "disk full" in task.message
    assert not db.session.scalars(sa.select(StoredFile)).all()


def _broken_sheets(round_, kind):
    raise RuntimeError("disk full")


def test_an_export_task_of_another_round_is_not_found(convenor, world, answered):
    other = fresh_round(answered.round)
    task = BackgroundTask(
        kind="export",
        description="Export",
        collaborative_id=world.collaborative.id,
        result={"round_id": other.id, "what": "results", "format": "csv"},
    )
    db.session.add(task)
    db.session.commit()
    base = f"/c/home-partnership/rounds/{answered.round.id}/exports/{task.id}"
    assert convenor.get(base).status_code == 404


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    what=st.one_of(st.sampled_from(["results", "responses", ""]), st.text(max_size=12)),
    fmt=st.one_of(st.sampled_from(["csv", "xlsx", "json", ""]), st.text(max_size=12)),
)
def test_any_export_choice_gives_a_file_or_the_form_never_an_error(convenor, answered, what, fmt):
    response = download(convenor, answered.round.id, what, fmt)
    assert response.status_code in (200, 400)
    if response.status_code == 400:  # the app refuses NUL characters in any form
        assert "\x00" in what + fmt
        return
    if "attachment" in response.headers.get("Content-Disposition", ""):
        assert what == "results" and fmt in ("csv", "xlsx", "json")
    else:
        assert "govuk-error-summary" in response.get_data(as_text=True)
