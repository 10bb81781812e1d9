"""People, their role grants, sign-in sessions and single-use account links."""
