"""Maturity frameworks: versions, dimensions, levels, descriptors and items."""
