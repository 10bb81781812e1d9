"""The measures `make bench` runs, in order: id -> module with ``measure(context)``.

Adding a measure is one module (``tests/bench/pN_<what>.py`` with a ``measure`` function that
returns an ``Outcome``) and one line here.
"""

MEASURES: dict[str, str] = {
    "P1": "tests.bench.p1_recompute",
    "P2": "tests.bench.p2_page_save",
    "P3": "tests.bench.p3_freshness",
    "P4": "tests.bench.p4_results_page",
    "P5": "tests.bench.p5_export",
    "P6": "tests.bench.p6_memory",
}
