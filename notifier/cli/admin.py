"""`notifier admin create|password|token`."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from notifier.admins import AdminError, create_admin, issue_token, set_password
from notifier.extensions import db
from notifier.models.admin import ROLES


@click.group("admin")
def admin():
    """Manage admins."""


@admin.command("create")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    default="owner",
    show_default=True,
    help="owner: everything; editor: updates, deadlines, strands, announcements.",
)
@with_appcontext
def create(email: str, password_stdin: bool, role: str):
    """Create an admin who can log in at /admin/login."""
    password = _password(password_stdin, "Password")
    try:
        created = create_admin(email, password, role=role)
    except AdminError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"created admin {created.email} ({created.role})")


@admin.command("password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def password(email: str, password_stdin: bool):
    """Set an admin's password; every page session they have ends."""
    new = _password(password_stdin, "New password")
    try:
        changed = set_password(email, new)
    except AdminError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"new password set for {changed.email}; their sessions have ended")


@admin.command("token")
@click.argument("email")
@click.option("--name", default="", help="A note saying what the token is for.")
@with_appcontext
def token(email: str, name: str):
    """Print a new API token for an admin (shown once; only its hash is kept)."""
    try:
        token = issue_token(email, name)
    except AdminError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(token)


def _password(from_stdin: bool, prompt: str) -> str:
    """One line of standard input (for scripts), or asked twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(prompt, hide_input=True, confirmation_prompt=True)
