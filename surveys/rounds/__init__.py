"""Rounds of the survey across a collaborative, and each member's participation."""
