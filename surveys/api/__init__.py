"""The API's collection resources: rounds, participations, results and benchmarks.

Importing this package adds its routes to ``maturity.api.registry.bp`` (the app factory
does so before registering the blueprint).
"""

from surveys.api import exports, participations, rounds  # noqa: F401  (routes register)
