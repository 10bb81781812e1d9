"""Personal invitations to answer a round, and their reminders."""
