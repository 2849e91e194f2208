"""The read side: what the service publishes for calendar programs, feed readers and visitors.

Calendars, Atom feeds and the update listings are polled every few hours, forever, by
programs that mostly ask "has anything changed?". freshness answers that with one small
query and serves the same bytes from memory until the content moves on.
"""
