"""`make bench`: the performance measures of QUALITY.md §2, never run by pytest.

``python -m tests.bench.run`` seeds (or reuses) a synthetic collaborative on PostgreSQL and
runs every measure in ``registry.MEASURES``; each prints one line with its figure, the
reference measured in the same run on the same data, their ratio and the target.
"""
