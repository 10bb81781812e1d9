"""Turning responses into results: respondent scores at submission, member results,
round benchmarks. The jobs in surveys/jobs.py call these."""
