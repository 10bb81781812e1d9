"""Charts (DESIGN.md §5): the figures of each chart kind and how to draw them.

- ``figures``: plain dataclasses per chart kind, with their alt text and table. Safe for
  pages: no matplotlib.
- ``style``: sizes, fonts and the colour-blind-safe palette every chart shares.
- ``render``: the registry of chart kinds (kind -> drawing function returning a matplotlib
  ``Figure``) and ``render_svg`` / ``render_png``. Only workers import it.

This package draws; it never reads the database (``surveys.charts`` assembles the figures
from the result tables).
"""
