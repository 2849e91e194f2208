"""Bounces and complaints: reading delivery reports, and suppressing addresses that bounce."""
