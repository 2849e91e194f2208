"""Keep exported CSV cells from running as spreadsheet formulas, reversibly for import."""

from __future__ import annotations

# A spreadsheet reads a cell starting with one of these as a formula (or, for tab and CR,
# strips them and reads what follows), so `=HYPERLINK(...)` in an address or a consent
# source would run on the operator's machine.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _needs_guard(cell: str) -> bool:
    # A cell that already starts with the guard quote is guarded too, so that unguard() can
    # tell a guard from a quote that was part of the value: the mapping stays one-to-one.
    return cell.startswith(FORMULA_STARTS) or (cell.startswith("'") and _needs_guard(cell[1:]))


def guard(cell: str) -> str:
    """Prefix a quote to a cell a spreadsheet would run as a formula (OWASP's advice)."""
    return f"'{cell}" if _needs_guard(cell) else cell


def unguard(cell: str) -> str:
    """Undo guard(), so an exported file imports back to the values it was written from."""
    return cell[1:] if cell.startswith("'") and _needs_guard(cell[1:]) else cell
