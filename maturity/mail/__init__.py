"""Outgoing email: a durable outbox, delivered over SMTP when it is configured."""
