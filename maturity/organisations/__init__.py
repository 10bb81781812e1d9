"""Organisations: councils and convening bodies."""
