"""Benchmarking dashboards: a coordinator's view of their council's results and a convenor's
view of every member's, read from the stored result tables (never computed on a page view).

They live in ``surveys`` rather than ``maturity`` because they read rounds and participations,
and ``maturity`` never imports ``surveys``.
"""
