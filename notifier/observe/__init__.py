"""Watching the service run: metrics, health readings and the log format."""
