"""Import a subscriber CSV in two passes, so any size of file costs the same memory.

1. check.py reads the file once as a stream, checks every row (row.py) and keeps the good
   ones in a spool on disk (spool.py); a file with any bad row stops here, having changed
   nothing.
2. run.py reads the spool back a batch at a time: one lookup of the addresses already on the
   list per batch, a plan of what each row does (plan.py and follows.py, plain functions),
   and set-based writes of the whole batch (write.py, with write_follows.py,
   write_consent.py and write_confirmations.py), all in the caller's transaction.

A dry run is the second pass without the writes: the same plan, so a preview says exactly
what the import will do.
"""

from notifier.subscriptions.imports.check import BadImport, check
from notifier.subscriptions.imports.run import ImportReport, run

__all__ = ["BadImport", "ImportReport", "check", "run"]
