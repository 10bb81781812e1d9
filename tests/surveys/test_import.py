"""Importing responses in the respondent export's wide format (DESIGN §6, §8): every row is
checked, every fault named by row and column, nothing changes if any row is wrong (also
for random malformed files, QUALITY R9), and an exported round imported into an empty
round reproduces the same results."""

import csv
import io
import json
from collections import Counter

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maturity.audit.models import AuditEvent
from maturity.db import db
from maturity.exports.writers import Sheet, write_export
from maturity.frameworks.models import Item
from maturity.jobs import queue as job_queue
from maturity.results.models import ParticipationResult
from surveys.exports import importing
from surveys.exports.responses import responses_table
from surveys.responses.models import Answer, Response
from surveys.rounds.models import Round, RoundState
from surveys.synthetic import Scale, create_synthetic_collaborative
from tests.conftest import World, table_snapshot
from tests.helpers import csrf_token, sign_in
from tests.jobs_support import app_with_redis
from tests.surveys.export_support import (
    answered_round,
    compute_results,
    fresh_round,
    result_figures,
)


@pytest.fixture
def answered(world: World):
    world.collaborative.respondent_rows_export = True
    db.session.commit()
    return answered_round(world)


@pytest.fixture
def convenor(client, world):
    sign_in(client, world.convenor.email)
    return client


def import_path(round_id: int) -> str:
    return f"/c/home-partnership/rounds/{round_id}/import"


def upload(client, round_id: int, content: bytes, filename: str = "responses.csv"):
    token = csrf_token(client, import_path(round_id))
    return client.post(
        import_path(round_id),
        data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def exported_csv(round_: Round) -> bytes:
    headers, rows = responses_table(round_)
    out = io.BytesIO()
    write_export("csv", [Sheet("responses", headers, rows)], out)
    return out.getvalue()


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def answers_by_item_key(round_: Round, organisation_ids: set[int]) -> dict[str, Counter]:
    rows = db.session.execute(
        sa.select(Item.key, Answer.value)
        .join(Answer, Answer.item_id == Item.id)
        .join(Response, Response.id == Answer.response_id)
        .where(
            Response.participation_id.in_([p.id for p in round_.participations]),
            Response.organisation_id.in_(organisation_ids),
        )
    )
    result: dict[str, Counter] = {}
    for key, value in rows:
        result.setdefault(key, Counter())[value] += 1
    return result


def response_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Response.id)))


def test_an_exported_round_imported_into_an_empty_round_gives_the_same_results(
    convenor, world, answered
):
    source = answered.round
    target = fresh_round(source)
    response = upload(convenor, target.id, exported_csv(source))
    assert response.status_code == 302, response.get_data(as_text=True)
    compute_results(target)  # with Redis the import's jobs wait for a worker
    db.session.expire_all()
    members = {world.organisation.id, world.peer.id}
    before, after = result_figures(source), result_figures(target)
    reportable = {key: value for key, value in before.items() if key[1] in members}
    assert reportable and {k for k in after if k[1] in members} == set(reportable)
    _compare(reportable, after)
    small = [value for key, value in after.items() if key[1] == answered.small.id]
    assert all(value["suppressed"] for value in small)
    # Every answer, formula-like text included, comes back exactly as it was given.
    assert answers_by_item_key(target, members) == answers_by_item_key(source, members)


def _compare(expected: dict, actual: dict) -> bool:
    for key, figures in expected.items():
        assert key in actual, key
        for name, value in figures.items():
            if isinstance(value, float):
                assert actual[key][name] == pytest.approx(value, abs=1e-12), (key, name)
            else:
                assert actual[key][name] == value, (key, name)
    return True


def test_a_synthetic_round_round_trips_through_the_commands(app, tmp_path):
    collaborative = create_synthetic_collaborative(
        Scale(members=3, respondents=6, items=12, rounds=1, seed=5)
    )
    collaborative.respondent_rows_export = True
    db.session.commit()
    source = db.session.scalars(
        sa.select(Round).where(Round.collaborative_id == collaborative.id)
    ).one()
    compute_results(source)
    target = fresh_round(source, "Copy")
    runner = app.test_cli_runner()
    exported = tmp_path / "responses.csv"
    result = runner.invoke(
        args=[
            "export",
            source.reference,
            "--what",
            "responses",
            "--format",
            "csv",
            "--output",
            str(exported),
        ]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["import-responses", target.reference, str(exported)])
    assert result.exit_code == 0, result.output
    assert "Imported 18 responses for 3 members" in result.output
    db.session.rollback()
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.collaborative_id == collaborative.id)
    ).all()
    assert {"export.created", "responses.imported"} <= set(actions)
    compute_results(target)
    before, after = result_figures(source), result_figures(target)
    assert len(before) == len(after) > 0
    _compare(before, after)


def test_a_bad_row_changes_nothing_and_names_its_row_and_column(convenor, answered):
    target = fresh_round(answered.round)
    rows = list(csv.reader(io.StringIO(exported_csv(answered.round).decode("utf-8-sig"))))
    column = rows[0].index("collaboration_level")
    rows[3][column] = "9"
    before = table_snapshot()
    page = upload(convenor, target.id, csv_bytes(rows)).get_data(as_text=True)
    assert "Nothing has been imported" in page and "govuk-error-summary" in page
    assert "Row 4, column collaboration_level: &#34;9&#34; is not a whole number from 1 to 4" in (
        page
    ) or "Row 4, column collaboration_level: &quot;9&quot; is not a whole number from 1 to 4" in (
        page
    )
    after = table_snapshot()
    assert before == after


def test_every_fault_is_reported_at_once(world, answered):
    target = fresh_round(answered.round)
    rows = [
        ["response", "member_id", "collaboration_level", "role_band", "service_area"],
        ["a", "home-council", "2", "frontline", ""],
        ["a", "peer-council", "0", "astronaut", ""],
        ["", "nowhere-council", "dont_know", "", ""],
        ["b", "foreign-council", "3", "", "", "extra"],
    ]
    with pytest.raises(importing.ResponseImportError) as raised:
        importing.import_responses(target, rows, actor_id=None)
    messages = raised.value.messages
    assert 'Row 3, column response: The response id "a" is also in row 2' in messages
    assert "Row 3, column collaboration_level: " in " ".join(messages)
    assert any(m.startswith('Row 3, column role_band: "astronaut" is not one of') for m in messages)
    assert any(m.startswith("Row 4, column response: Enter the response id") for m in messages)
    assert f'Row 4, column member_id: No member "nowhere-council" takes part in {target.name}' in (
        messages
    )
    assert "Row 5: The row has 6 cells but there are 5 columns" in messages
    assert not db.session.new  # nothing was added to the session


def test_unknown_columns_and_missing_identity_columns_are_named(answered):
    target = fresh_round(answered.round)
    rows = [["member_id", "not_a_question", "not_a_question"], ["home-council", "1", "2"]]
    with pytest.raises(importing.ResponseImportError) as raised:
        importing.import_responses(target, rows, actor_id=None)
    messages = raised.value.messages
    assert "Row 1: The file needs a response column" in messages
    assert "Row 1, column not_a_question: No question of this round's framework has this key" in (
        messages
    )
    assert "Row 1, column not_a_question: This column appears more than once" in messages


ALREADY_IN = "is already in {name}: a file imported before, or exported from this round"


def test_the_same_file_imported_twice_is_refused_and_changes_nothing(convenor, answered):
    target = fresh_round(answered.round)
    content = exported_csv(answered.round)
    assert upload(convenor, target.id, content).status_code == 302
    before = table_snapshot()
    page = upload(convenor, target.id, content).get_data(as_text=True)
    assert "Nothing has been imported" in page
    assert "Row 2, column response: The response &#34;r" in page or (
        "Row 2, column response: The response &quot;r" in page
    )
    assert ALREADY_IN.format(name=target.name) in page
    assert table_snapshot() == before


def test_a_re_exported_file_imported_again_is_refused_and_changes_nothing(convenor, answered):
    target = fresh_round(answered.round)
    assert upload(convenor, target.id, exported_csv(answered.round)).status_code == 302
    db.session.expire_all()
    before = table_snapshot()
    # The imported responses keep their ids, so exporting the round gives them back...
    page = upload(convenor, target.id, exported_csv(target)).get_data(as_text=True)
    assert ALREADY_IN.format(name=target.name) in page
    # ...and so does a round's own export imported into itself.
    source = answered.round
    page = upload(convenor, source.id, exported_csv(source)).get_data(as_text=True)
    assert ALREADY_IN.format(name=source.name) in page
    assert table_snapshot() == before


def test_the_export_names_each_response_by_its_stored_public_id(answered):
    target = fresh_round(answered.round)
    rows = list(csv.reader(io.StringIO(exported_csv(answered.round).decode("utf-8-sig"))))
    exported_ids = [row[0] for row in rows[1:]]
    stored = db.session.scalars(
        sa.select(Response.public_id).where(
            Response.participation_id.in_([p.id for p in answered.round.participations])
        )
    ).all()
    assert len(set(stored)) == len(stored) and set(exported_ids) <= set(stored)
    assert all(len(public_id) == 21 and public_id.startswith("r") for public_id in stored)
    assert exported_csv(answered.round) == exported_csv(answered.round)  # stable
    importing.import_responses(target, rows, actor_id=None)
    db.session.commit()
    imported = db.session.scalars(
        sa.select(Response.public_id).where(
            Response.participation_id.in_([p.id for p in target.participations])
        )
    ).all()
    assert sorted(imported) == sorted(exported_ids)


def test_two_imports_of_one_file_at_the_same_moment_store_it_once(monkeypatch, answered):
    # Both imports check the file before either commits; the second then finds the first's
    # responses (their submission keys are unique) and is refused like a repeat.
    target = fresh_round(answered.round)
    rows = list(csv.reader(io.StringIO(exported_csv(answered.round).decode("utf-8-sig"))))
    importing.import_responses(target, rows, actor_id=None)
    db.session.commit()
    count = response_count()
    monkeypatch.setattr(importing, "already_in_round", lambda round_id, ids: set())
    with pytest.raises(importing.ResponseImportError) as raised:
        importing.import_responses(target, rows, actor_id=None)
    db.session.rollback()
    assert raised.value.messages == [
        f"These responses were imported into {target.name} at the same moment by another "
        "import; nothing was imported from this file"
    ]
    assert response_count() == count


def _require(round_: Round, *keys: str) -> None:
    for item in db.session.scalars(
        sa.select(Item).where(Item.version_id == round_.framework_version_id, Item.key.in_(keys))
    ):
        item.is_required = True
    db.session.commit()


def test_a_blank_required_answer_is_refused_with_its_row_and_column(convenor, answered):
    target = fresh_round(answered.round)
    _require(target, "collaboration_level")
    rows = list(csv.reader(io.StringIO(exported_csv(answered.round).decode("utf-8-sig"))))
    headers = rows[0]
    rows[2][headers.index("collaboration_level")] = " "
    del rows[4][headers.index("collaboration_level") :]  # a short row leaves it out too
    # Required respondent attributes may be blank: an export may blank them for anonymity.
    rows[3][headers.index("role_band")] = ""
    rows[3][headers.index("perspective")] = ""
    before = table_snapshot()
    with pytest.raises(importing.ResponseImportError) as raised:
        importing.import_responses(target, rows, actor_id=None)
    db.session.rollback()
    assert raised.value.messages == [
        "Row 3, column collaboration_level: Answer this required question: it is blank",
        "Row 5, column collaboration_level: Answer this required question: it is blank",
    ]
    page = upload(convenor, target.id, csv_bytes(rows)).get_data(as_text=True)
    assert "Row 3, column collaboration_level: Answer this required question" in page
    assert table_snapshot() == before


def test_a_file_without_a_required_question_s_column_is_refused(answered):
    target = fresh_round(answered.round)
    _require(target, "collaboration_level")
    rows = [["response", "member_id", "role_band"], ["a", "home-council", "frontline"]]
    with pytest.raises(importing.ResponseImportError) as raised:
        importing.import_responses(target, rows, actor_id=None)
    assert raised.value.messages == [
        "Row 1: The file needs a collaboration_level column: it is a required question"
    ]


def test_a_wrong_required_answer_is_named_once(answered):
    target = fresh_round(answered.round)
    _require(target, "collaboration_level")
    rows = [
        ["response", "member_id", "collaboration_level"],
        ["a", "home-council", "9"],
        ["b", "home-council", "dont_know"],
    ]
    with pytest.raises(importing.ResponseImportError) as raised:
        importing.import_responses(target, rows, actor_id=None)
    assert raised.value.messages == [
        'Row 2, column collaboration_level: "9" is not a whole number from 1 to 4 or dont_know'
    ]


def test_a_published_round_refuses_imports(convenor, answered):
    target = fresh_round(answered.round)
    target.state = RoundState.PUBLISHED
    db.session.commit()
    before = response_count()
    page = upload(convenor, target.id, exported_csv(answered.round)).get_data(as_text=True)
    assert "is published: its responses cannot change" in page
    assert response_count() == before


def test_an_import_asks_for_the_round_s_results_once_and_is_audited(monkeypatch, world, answered):
    requested = []
    monkeypatch.setattr(importing, "request_round_results", requested.append)
    target = fresh_round(answered.round)
    rows = list(csv.reader(io.StringIO(exported_csv(answered.round).decode("utf-8-sig"))))
    result = importing.import_responses(target, rows, actor_id=world.convenor.id)
    db.session.commit()
    participations = {p.organisation_id: p.id for p in target.participations}
    assert requested == [target.id]
    assert result.participation_ids == sorted(
        [participations[world.organisation.id], participations[world.peer.id]]
    )
    assert result.imported == 16
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "responses.imported")
    ).one()
    assert event.actor_id == world.convenor.id and event.details["responses"] == 16
    imported = db.session.scalars(
        sa.select(Response).where(Response.participation_id.in_(participations.values()))
    ).all()
    assert all(r.user_id is None and r.invitation_id is None for r in imported)
    assert all(r.submitted_at.minute == 0 and r.is_submitted for r in imported)


def test_an_import_queues_one_recompute_and_one_chart_job(app, monkeypatch, answered, tmp_path):
    # Jobs run in this process (an app without Redis, whatever the suite uses); the chart
    # job is counted, not drawn. Two members imported, one recompute, one chart job.
    embedded = app_with_redis(app, "")
    embedded.config["RENDER_CHARTS"] = True
    ran, run_now = [], job_queue.run_now

    def record(app_, request):
        ran.append(request.job_id)
        if not request.job_id.startswith("render-round-charts-"):
            run_now(app_, request)

    monkeypatch.setattr(job_queue, "run_now", record)
    target = fresh_round(answered.round)
    exported = tmp_path / "responses.csv"
    exported.write_bytes(exported_csv(answered.round))
    with embedded.app_context():
        result = embedded.test_cli_runner().invoke(
            args=["import-responses", target.reference, str(exported)]
        )
    assert result.exit_code == 0, result.output
    assert ran == [f"recompute-round-{target.id}-all", f"render-round-charts-{target.id}"]
    db.session.expire_all()
    computed = db.session.scalars(
        sa.select(ParticipationResult.participation_id).where(
            ParticipationResult.round_id == target.id
        )
    )
    assert set(computed) == {p.id for p in target.participations}


def test_the_command_reports_problems_and_exits_non_zero(app, answered, tmp_path):
    target = fresh_round(answered.round)
    before = response_count()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["response", "member_id"], ["x", "nowhere"]]))
    result = app.test_cli_runner().invoke(args=["import-responses", target.reference, str(bad)])
    assert result.exit_code == 1
    assert 'Row 2, column member_id: No member "nowhere"' in result.output
    assert response_count() == before


def test_the_form_refuses_a_file_that_is_not_csv(convenor, answered):
    target = fresh_round(answered.round)
    page = upload(convenor, target.id, b"x", filename="responses.xlsx").get_data(as_text=True)
    assert "The selected file must be a CSV file" in page
    page = upload(convenor, target.id, b"\xff\xfe\x00bad").get_data(as_text=True)
    assert "saved as UTF-8" in page


KEYS = ["response", "member_id", "collaboration_level", "role_band", "service_area", "zz"]
CELLS = st.one_of(
    st.sampled_from(["1", "2", "4", "5", "dont_know", "frontline", "home-council", "a", ""]),
    st.text(max_size=6),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    headers=st.lists(st.sampled_from(KEYS), min_size=1, max_size=5),
    rows=st.lists(st.lists(CELLS, max_size=6), max_size=5),
    raw=st.binary(max_size=40),
    use_raw=st.booleans(),
)
def test_random_files_never_fail_the_page_or_import_part_of_a_file(
    convenor, answered, headers, rows, raw, use_raw
):
    target = db.session.scalars(sa.select(Round).where(Round.name == "Fuzzed")).first()
    target = target or fresh_round(answered.round, "Fuzzed")
    content = raw if use_raw else csv_bytes([headers, *rows])
    before = response_count()
    response = upload(convenor, target.id, content)
    assert response.status_code in (200, 302)
    added = response_count() - before
    data_rows = [r for r in rows if any(c.strip() for c in r)]
    assert added == 0 or (response.status_code == 302 and added == len(data_rows))


OPTIONS = [{"value": "housing", "label": "Housing"}, {"value": "health", "label": "Health"}]


@pytest.mark.parametrize(
    ("item_type", "cell", "stored"),
    [
        ("level", " 3 ", "3"),
        ("level", "3.0", "3"),
        ("level", "dont_know", "dont_know"),
        ("level", "Don't know", "dont_know"),
        ("likert", "5", "5"),
        ("single", "health", "health"),
        ("multi", "health; housing", json.dumps(["health", "housing"])),
        ("multi", "housing;;", json.dumps(["housing"])),
        ("number", "-12.5", "-12.5"),
        ("text", "'=SUM(A1)", "=SUM(A1)"),
        ("text", "'plain", "'plain"),
        ("text", "   ", None),
    ],
)
def test_cells_become_the_answers_a_survey_stores(item_type, cell, stored):
    item = Item(key="q", item_type=item_type, options=OPTIONS)
    assert importing.stored_answer(item, cell, levels=4) == stored


@pytest.mark.parametrize(
    ("item_type", "cell", "message"),
    [
        ("level", "5", "from 1 to 4"),
        ("level", "2.5", "from 1 to 4"),
        ("likert", "6", "from 1 to 5"),
        ("single", "police", "is not one of health, housing"),
        ("multi", "health; police", '"police" is not one of'),
        ("number", "lots", "is not a number"),
        ("number", "1e12", "between"),
        ("text", "x" * 2001, "2,000 characters or fewer"),
    ],
)
def test_cells_that_no_survey_could_store_are_refused_with_a_reason(item_type, cell, message):
    item = Item(key="q", item_type=item_type, options=OPTIONS)
    with pytest.raises(ValueError, match=message):
        importing.stored_answer(item, cell, levels=4)


def test_file_content_echoed_in_errors_is_never_markup(convenor, answered):
    target = fresh_round(answered.round)
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    content = csv_bytes([["response", "member_id", payload], [payload, payload, "1"]])
    page = upload(convenor, target.id, content).get_data(as_text=True)
    assert "Nothing has been imported" in page
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)" in page
