"""Signing in to the admin pages from a test client, and reading their forms."""

from __future__ import annotations

import re

from notifier.admins import create_admin

PASSWORD = "a long admin password"


def make_admin(email: str = "ops@example.org", role: str = "owner"):
    from notifier.extensions import db

    admin = create_admin(email, PASSWORD, role=role)
    db.session.commit()
    return admin


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', html)[1]


def sign_in(client, email: str = "ops@example.org", password: str = PASSWORD):
    page = client.get("/admin/login")
    answer = client.post(
        "/admin/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
    )
    assert answer.status_code == 302, answer.text
    return answer


def hidden_fields(html: str, action: str) -> dict[str, str]:
    """The hidden inputs of the form posting to action."""
    form = re.search(
        rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S
    )
    assert form, f"no form posting to {action}"
    return dict(
        re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form[1])
    ) | dict(
        re.findall(r'<input[^>]*name="([^"]+)"[^>]*type="hidden"[^>]*value="([^"]*)"', form[1])
    )


def announce(subject, body, strands, send_at, admin, now):
    """Create and confirm an announcement as the API does: commit, then queue it if due."""
    from notifier.announcements.sending import create_announcement, send_if_due
    from notifier.extensions import db

    item = create_announcement(subject, body, strands, send_at, admin, now)
    db.session.commit()
    return send_if_due(item, now)
