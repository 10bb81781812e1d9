"""One full recompute of the measured round in a child process, exactly as an operator
runs it (`flask --app wsgi recompute COLLABORATIVE/ROUND`, through ``peak_memory``), with
its time and peak memory.

P1 reports the time and P6 the memory of the same run.
"""

import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from tests.bench.context import ROOT, BenchContext
from tests.bench.peak_memory import MARK

REPORTED = re.compile(r"Recomputed \S+ in ([0-9.]+) s")
PEAK = re.compile(rf"{MARK} (\d+)")


@dataclass(frozen=True)
class RecomputeRun:
    """How long the recompute took (as the command reports it) and the process's peak RSS."""

    seconds: float
    peak_rss_mb: float


def run_recompute(context: BenchContext) -> RecomputeRun:
    """Recompute the latest round in a `flask … recompute` child that reports its peak memory."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.bench.peak_memory",
                "--app",
                "wsgi",
                "recompute",
                context.dataset.latest_round_reference,
            ],
            cwd=ROOT,
            # P1 measures no charts: none are drawn (nor queued) after the recompute.
            env={**context.flask_env(with_redis=False), "RENDER_CHARTS": "false"},
            stdout=out,
            stderr=err,
        )
        process.wait()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode != 0:
        raise RuntimeError(f"recompute failed ({process.returncode}): {stderr.strip()[-500:]}")
    match, peak = REPORTED.search(stdout), PEAK.search(stderr)
    if match is None or peak is None:
        raise RuntimeError(f"recompute printed no time or peak memory: {stdout!r}")
    return RecomputeRun(float(match.group(1)), int(peak.group(1)) / 1024)


def shared_recompute(context: BenchContext) -> RecomputeRun:
    """The run P1 and P6 share (made once, by whichever of them runs first)."""
    return context.shared_result("recompute", lambda: run_recompute(context))
