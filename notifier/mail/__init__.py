"""The mail edge: turning an email into bytes, and handing bytes to a backend."""
