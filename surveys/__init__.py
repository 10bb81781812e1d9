"""Placewise collection: rounds, participations, invitations and responses.

This package leans on ``maturity``; ``maturity`` never imports it (except the app factory).
"""
