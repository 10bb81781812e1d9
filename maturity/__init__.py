"""Placewise core: accounts, organisations, collaboratives, frameworks and results."""
