"""Responses and their answers, and submitting them."""
