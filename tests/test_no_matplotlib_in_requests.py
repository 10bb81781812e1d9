"""A page view never waits on matplotlib (DESIGN.md §5): in a fresh interpreter, every page
and chart route a coordinator and a convenor can GET is requested, and matplotlib must not
even have been imported. Charts are drawn by workers only."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROBE = REPO / "tests" / "surveys" / "pages_without_matplotlib.py"
# The probe runs on its own temporary SQLite database and in-process jobs, so it cannot
# touch the database or the Redis of the run that starts it.
CLEARED = ("TEST_DATABASE_URL", "REDIS_URL", "DATABASE_URL", "PYTEST_XDIST_WORKER")


def test_requests_never_import_matplotlib():
    env = {name: value for name, value in os.environ.items() if name not in CLEARED}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            "-q",
            str(PROBE),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
