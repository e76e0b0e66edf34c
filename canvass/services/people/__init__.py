"""People, their roles and logins, and the organisation they belong to."""
