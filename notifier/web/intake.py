"""What every request must be before a view reads it: a body of a sane size, text we can store.

A door that takes a secret in a header checks it first (authenticated_by), so a stranger's
body is never read, let alone parsed.

The size: MAX_CONTENT_LENGTH (see create_app), unless a view asks for more with body_limit.
Werkzeug refuses a bigger body (413) when it is first read, so this room is set first.

A JSON body is parsed here, once, and must not be nested deeper than the parser can go.

PostgreSQL cannot store the NUL character in text, and no address, subject or search ever
needs one; a NUL reaching a query fails there as a 500. So it is refused here, once, at the
door, with a 400 naming the field, for query strings, forms and JSON bodies alike; except
that a view marked form_shows_nul has its form's NULs refused by its form (web/page_form),
which can say so beside the field.
"""

from __future__ import annotations

from flask import Flask, abort, current_app, request


def init_app(app: Flask) -> None:
    app.before_request(authenticate)
    app.before_request(make_room)
    app.before_request(refuse_nul)


def authenticated_by(check):
    """Run ``check`` (it aborts, with a 401 say) before any body is read, the JSON parse included.

    For a door whose caller proves who it is with a header: a stranger's body is never read.
    """

    def mark(view):
        view.authenticate = check
        return view

    return mark


def authenticate() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    check = getattr(view, "authenticate", None)
    if check is not None:
        check()


def body_limit(size: int):
    """Let the decorated view take bodies of up to ``size`` bytes, not MAX_CONTENT_LENGTH."""

    def mark(view):
        view.body_limit = size
        return view

    return mark


def form_shows_nul(view):
    """Let a NUL in the view's form reach the view, whose PageForm shows it beside its field.

    The query string and a JSON body are still refused here. Mark only a view whose every
    form field is read through a web.page_form.PageForm validated before anything else.
    """
    view.form_shows_nul = True
    return view


def make_room() -> None:
    view = current_app.view_functions.get(request.endpoint)
    size = getattr(view, "body_limit", None)
    if size is not None:
        request.max_content_length = size


def refuse_nul() -> None:
    """400 naming the first field whose text holds a NUL character."""
    if not request.query_string and not _has_body():
        return  # most GETs: nothing to look in, and no parsing to pay for
    field = _nul_in_pairs(request.args)
    view = current_app.view_functions.get(request.endpoint or "")
    if field is None and not getattr(view, "form_shows_nul", False):
        field = _nul_in_pairs(request.form)
    if field is None and request.is_json:
        field = _nul_in_json(read_json())
    if field is not None:
        abort(400, description=f"{field} must not contain the NUL character.")


def read_json():
    """The JSON body, parsed once (views' get_json(silent=True) then reuses it); None if invalid.

    Python's parser recurses once per nesting level, so ``[[[[…]]]]`` a few thousand deep
    raises RecursionError, which is no ValueError and escaped as a 500: here it is a 400.
    """
    try:
        return request.get_json(silent=True)
    except RecursionError:
        abort(400, description="The JSON body is nested too deeply.")


def _has_body() -> bool:
    headers = request.headers
    return bool(headers.get("Content-Length", "0").strip("0 ") or "Transfer-Encoding" in headers)


def _nul_in_pairs(pairs) -> str | None:
    names = nul_names(pairs)
    return names[0] if names else None


def nul_names(pairs) -> list[str]:
    """The names (without their NULs) of the fields whose name or value holds NUL, in order."""
    found = (name for name, value in pairs.items(multi=True) if "\0" in name or "\0" in value)
    return list(dict.fromkeys(name.replace("\0", "") for name in found))


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
