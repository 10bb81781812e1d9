"""Respondent-level exports and imports of a round's responses, in one wide format."""
