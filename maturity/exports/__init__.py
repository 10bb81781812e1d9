"""Exports: tables shaped as ``(headers, rows)`` and the one module that writes them."""
