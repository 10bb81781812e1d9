"""The machine a bench ran on, printed with the figures (timings mean little without it)."""

import os
import platform
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return None


def describe_machine() -> str:
    """CPU model, cores, RAM, load average and Python, on one line."""
    ram = _ram_gib()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"Machine: {_cpu_model()}, {os.cpu_count()} cores, "
        f"{f'{ram:.1f} GiB RAM' if ram else 'RAM unknown'}, load average {load}, "
        f"Python {platform.python_version()} on {platform.system()} {platform.release()}"
    )
