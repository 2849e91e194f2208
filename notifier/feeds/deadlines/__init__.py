"""Read the comment deadline out of a consultation update's text.

The reader is a table of patterns and rules (docs/adr/0013-deadline-corpus.md), in steps:
`sentences` splits the text, `scan` finds each sentence's dates (`grammar`) and judges them
by the words around them (`cues`) into `mentions`, `resolve` gives each its day, and `find`
chooses the deadline.
"""

from notifier.feeds.deadlines.find import FoundDeadline, find_deadline

__all__ = ["FoundDeadline", "find_deadline"]
