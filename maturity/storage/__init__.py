"""Stored files: rendered charts, reports and exports, kept in the database.

Workers write them; web processes on any machine serve them. Access checks belong to the
views, which build a file's key from objects already loaded through the tenant scope.
"""
