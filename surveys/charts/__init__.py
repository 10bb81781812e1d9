"""Benchmarking charts for a round (DESIGN.md §5): which charts a member or the convenor
gets, the figures in each (read from the result tables only), where their images live,
the job that renders them and the routes that serve them.

For pages (the dashboards): ``surveys.charts.services``

- ``member_charts(round_id, organisation_id) -> list[ChartView]`` — a member's charts:
  profile radar, one benchmark per dimension (own member highlighted, peers named or
  "Member A…"), trend across rounds, level distribution, breakdowns by role band and by
  perspective, momentum map. Call it inside the coordinator's (``/o/<org>``) or the
  convenor's (``/c/<collab>``) request; the image URLs follow that scope.
- ``collaborative_charts(round_id, tag=None) -> list[ChartView]`` — the convenor's charts:
  heatmap, one benchmark and one momentum map per dimension, for every member or only the
  members carrying comparator tag ``tag``; ``comparator_tags(round_id)`` lists the tags
  that have charts (carried by at least three reported members, and not by all of them);
  any other tag gives ``[]``.
- ``ChartView``: ``chart_id``, ``kind``, ``title``, ``alt_text``, ``caption``,
  ``headers``/``rows`` (the adjacent table: exactly the figures drawn; ``None`` cells are
  "not reported"), ``image_url`` (SVG) and ``png_url`` (``None`` while the worker has not
  drawn this version yet: show "Chart being drawn" and the table), ``data_url`` (CSV),
  ``dimension_key`` (for per-dimension charts) and ``chart`` (the plain figures, for a
  report job to draw itself with ``maturity.charts.render_png``/``render_svg``).

A page never imports matplotlib: everything above is plain data and a stored-file lookup.

For workers and reports (no request needed): ``surveys.charts.catalogue``
``member_chart_set(round_id, organisation_id)`` / ``collaborative_chart_set(round_id, tag)``
return ``ChartEntry(chart_id, chart, dimension_key)`` lists, and ``stored_chart(...)`` finds
a rendered image's bytes.
"""
