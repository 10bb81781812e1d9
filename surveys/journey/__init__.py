"""The respondent's journey: start, task list, one page per section, check, submit."""
