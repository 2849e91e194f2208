"""GET / skips the work a body-less read has no use for, and nothing a write needs."""

from __future__ import annotations

import pytest
from itsdangerous import BadSignature

from notifier.extensions import limiter


def test_an_exempt_read_skips_the_limiter_and_a_write_is_still_counted(app, monkeypatch):
    resolved = []
    manager = limiter.limit_manager
    real = manager.resolve_limits
    monkeypatch.setattr(
        manager, "resolve_limits", lambda *a, **k: resolved.append(a[1]) or real(*a, **k)
    )
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert resolved == []
    client.post("/subscribe", data={"email": "ada@example.org"})
    assert resolved == ["public.subscribe_form"]


def test_a_nul_in_a_read_s_body_is_still_refused(client):
    answer = client.get("/", data={"email": "ada\0@example.org"})
    assert answer.status_code == 400
    assert "email must not contain the NUL character" in answer.get_data(as_text=True)
    assert client.get("/?q=%00").status_code == 400
    assert client.get("/").status_code == 200


def test_the_session_signer_is_built_once_and_again_when_the_key_changes(app):

    sessions = app.session_interface
    signer = sessions.get_signing_serializer(app)
    assert sessions.get_signing_serializer(app) is signer
    cookie = signer.dumps({"csrf_token": "x"})
    app.secret_key = "another-secret-key-entirely"
    fresh = sessions.get_signing_serializer(app)
    assert fresh is not signer
    with pytest.raises(BadSignature):
        fresh.loads(cookie)
