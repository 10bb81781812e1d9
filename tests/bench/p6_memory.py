"""P6: the worker's peak memory while it recomputes a national-scale round (P1's run)."""

from tests.bench.context import BenchContext
from tests.bench.outcome import Outcome
from tests.bench.recompute_run import shared_recompute

LIMIT_MB = 500


def measure(context: BenchContext) -> Outcome:
    """Peak resident memory of the recompute process, against 500 MB."""
    run = shared_recompute(context)
    return Outcome(
        measure="P6",
        what="peak memory of the process recomputing the round (P1's run, VmHWM)",
        figure=run.peak_rss_mb,
        unit="MB",
        target=f"< {LIMIT_MB} MB",
        met=run.peak_rss_mb < LIMIT_MB,
    )
