"""Working-group meetings: spotted in updates as proposals, confirmed and kept by admins."""
