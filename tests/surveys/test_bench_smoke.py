"""`make bench` works end to end: at a tiny scale, on a PostgreSQL database of its own next
to the test database, P1, P3 and P6 print their lines and the recompute really ran.

Timings are never asserted (STYLE.md: timing lives in `make bench`)."""

import importlib
import os
import re

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from config import database_url
from tests.bench import run
from tests.bench.registry import MEASURES
from tests.jobs_support import own_redis

# The measures of the recompute and its freshness (the other measures have their own tests).
OURS = ("P1", "P3", "P6")
TINY = ["--members", "6", "--respondents", "7", "--items", "12", "--rounds", "2"]


@pytest.fixture
def bench_database_url() -> str:
    url = database_url(os.environ.get("TEST_DATABASE_URL") or "")
    if not url.startswith("postgresql"):
        if os.environ.get("CI"):
            pytest.fail("the bench smoke test needs PostgreSQL (TEST_DATABASE_URL) in CI")
        pytest.skip("the bench runs on PostgreSQL only")
    base = make_url(url)
    return base.set(database=f"{base.database}_bench").render_as_string(hide_password=False)


def measure_lines(out: str) -> dict[str, str]:
    """The printed measure lines by measure id."""
    return {line.split()[0]: line for line in out.splitlines() if re.match(r"P\d+ ", line)}


def _current_members(url: str) -> tuple[int, int]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        members, current = connection.execute(
            sa.text(
                "SELECT count(*), count(r.id) FILTER "
                "(WHERE r.computed_from_version = p.answers_version) "
                "FROM participations p JOIN rounds ON rounds.id = p.round_id "
                "LEFT JOIN participation_results r ON r.participation_id = p.id "
                "WHERE rounds.slug = 'round-2'"
            )
        ).one()
    engine.dispose()
    return members, current


def test_the_bench_prints_one_line_per_measure_with_its_reference_and_target(
    bench_database_url, monkeypatch, capsys
):
    with own_redis() as server:
        monkeypatch.setenv("BENCH_DATABASE_URL", bench_database_url)
        monkeypatch.setenv("BENCH_REDIS_URL", server.url)
        args = [*TINY, "--fresh", "--only", ",".join(OURS), "--freshness-seconds", "1"]
        args += ["--rate", "5"]
        assert run.main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("Machine: ")
    assert "cores" in out and "load average" in out
    lines = measure_lines(out)
    assert set(lines) == set(OURS)
    assert "raw SQL GROUP BY (floor)" in lines["P1"] and "pandas" in lines["P1"]
    assert "ratio" in lines["P1"] and "target ≤ 2× SQL and < pandas" in lines["P1"]
    assert "target < 500 MB" in lines["P6"]
    assert "p50" in lines["P3"] and "target p95 < 2 s" in lines["P3"]
    assert not any("[FAILED]" in line for line in lines.values())
    assert _current_members(bench_database_url) == (6, 6), "every member's results computed"


def test_a_second_run_reuses_the_data_set(bench_database_url, monkeypatch, capsys):
    with own_redis() as server:
        monkeypatch.setenv("BENCH_DATABASE_URL", bench_database_url)
        monkeypatch.setenv("BENCH_REDIS_URL", server.url)
        assert run.main([*TINY, "--only", "P6"]) == 0
        capsys.readouterr()
        assert run.main([*TINY, "--only", "P6"]) == 0
    out = capsys.readouterr().out
    assert "Data set: reusing Bench 6x7x12x2 seed 1" in out
    assert list(measure_lines(out)) == ["P6"]


def test_the_registry_names_importable_measures():
    for measure_id, module in MEASURES.items():
        assert callable(importlib.import_module(module).measure), measure_id


def test_unknown_measures_and_empty_scales_are_refused_with_a_message(capsys):
    with pytest.raises(SystemExit):
        run.parse_args(["--only", "P1,P99"])
    assert "unknown measures P99" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run.parse_args(["--members", "0"])
    assert "must be at least 1" in capsys.readouterr().err
