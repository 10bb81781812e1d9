"""The audit trail: who did what to what, when and from where."""
