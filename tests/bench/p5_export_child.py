"""P5's child process: stream a round's respondent-level CSV export, exactly as the web
download writes it (``responses_table`` + the CSV writer), into nothing; print JSON with
the rows, bytes, seconds and the process's peak memory after a quarter of the rows and at
the end (VmHWM: the same stream measured at two sizes).

    python -m tests.bench.p5_export_child ROUND_ID
"""

import json
import logging
import sys
import time

from maturity.app import create_app
from maturity.db import db
from maturity.exports.writers import Sheet, iter_export
from maturity.tenancy import unscoped
from surveys.exports.responses import responses_table
from surveys.rounds.models import Round


def peak_memory_mb() -> float:
    """This process's peak resident memory so far (VmHWM), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


class CountingRows:
    """Pass rows through, noting the peak memory once a quarter of ``expected`` have gone."""

    def __init__(self, rows, expected: int):
        self.rows, self.expected, self.count = rows, expected, 0
        self.peak_at_quarter_mb: float | None = None

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            if self.count == max(1, self.expected // 4):
                self.peak_at_quarter_mb = peak_memory_mb()
            yield row


def main(round_id: int, expected: int) -> dict:
    """Stream the export once; return what was measured."""
    app = create_app("development")
    logging.getLogger().setLevel(logging.WARNING)
    with app.app_context(), unscoped():
        started = time.perf_counter()
        headers, rows = responses_table(db.session.get(Round, round_id))
        counted = CountingRows(rows, expected)
        written = sum(len(chunk) for chunk in iter_export("csv", [Sheet("r", headers, counted)]))
        seconds = time.perf_counter() - started
    return {
        "rows": counted.count,
        "columns": len(headers),
        "bytes": written,
        "seconds": seconds,
        "peak_at_quarter_mb": counted.peak_at_quarter_mb,
        "peak_at_end_mb": peak_memory_mb(),
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
