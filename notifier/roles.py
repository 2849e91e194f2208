"""What each admin role may do: an owner everything, an editor the list's content only.

Editors run updates, deadlines, strands and announcements; what touches subscribers'
personal data or the admins themselves is an owner's. Pages and the API ask `may`.
"""

from __future__ import annotations

from notifier.models import Admin

# Actions only an owner may take; everything else is open to both roles.
OWNER_ONLY = {
    "erase": "erase subscribers",
    "export": "export subscribers",
    "import": "import subscribers",
    "suppress": "suppress or lift a suppression",
    "manage_admins": "manage admins",
}


def may(admin: Admin, action: str) -> bool:
    """Whether this admin's role allows the action."""
    return admin.role == "owner" or action not in OWNER_ONLY


def refusal(admin: Admin, action: str) -> str | None:
    """Why the admin may not take the action, or None if they may."""
    if may(admin, action):
        return None
    return f"Only an owner can {OWNER_ONLY[action]}; you are signed in as an {admin.role}."
