"""What every request must be before a view reads it: text a database can store.

PostgreSQL cannot store the NUL character in text, and no address, subject or search ever
needs one; a NUL reaching a query fails there as a 500. So it is refused here, once, at the
door, with a 400 naming the field, for query strings, forms and JSON bodies alike.
"""

from __future__ import annotations

from flask import Flask, abort, request


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul)


def refuse_nul() -> None:
    """400 naming the first field whose text holds a NUL character."""
    field = _nul_in_pairs(request.args) or _nul_in_pairs(request.form)
    if field is None and request.is_json:
        field = _nul_in_json(request.get_json(silent=True))
    if field is not None:
        abort(400, description=f"{field} must not contain the NUL character.")


def _nul_in_pairs(pairs) -> str | None:
    for name, value in pairs.items(multi=True):
        if "\0" in name or "\0" in value:
            return name.replace("\0", "")
    return None


def _nul_in_json(value) -> str | None:
    """The path of the first string (key or value) holding NUL; iterative, as nesting is free."""
    stack = [("body", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str) and "\0" in item:
            return path
        if isinstance(item, dict):
            for key, inner in item.items():
                if "\0" in key:
                    return path
                stack.append((key if path == "body" else f"{path}.{key}", inner))
        elif isinstance(item, list):
            stack.extend((f"{path}[{index}]", inner) for index, inner in enumerate(item))
    return None
