"""Collaboratives, their settings and their member organisations."""
