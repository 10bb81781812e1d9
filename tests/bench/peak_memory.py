"""Run `flask …` in this process and print its peak resident memory when it exits.

    python -m tests.bench.peak_memory --app wsgi recompute COLLABORATIVE/ROUND

The kernel's per-process high-water mark (VmHWM) is read from /proc at exit: the rusage
of a child forked from a large parent (the bench, after pandas) starts from the parent's
size, so it would overstate the worker's memory.
"""

import atexit
import sys
from pathlib import Path

from flask.cli import main

MARK = "PEAK_RSS_KB"


def report_peak() -> None:
    """Print this process's peak resident set size, in kilobytes, to stderr."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            print(f"{MARK} {line.split()[1]}", file=sys.stderr)


if __name__ == "__main__":
    atexit.register(report_peak)
    sys.argv = ["flask", *sys.argv[1:]]
    main()
