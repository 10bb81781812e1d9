"""The platform admin's area, kept apart from the member areas."""
