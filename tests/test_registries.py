"""The registries are written out by hand; this finds a part someone wrote and forgot to list."""

from __future__ import annotations

import importlib
import pkgutil

import click
from flask import Blueprint

import notifier.cli
import notifier.web
from notifier.cli import COMMANDS
from notifier.web import BLUEPRINTS


def _modules(package):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        yield importlib.import_module(info.name)


def test_every_blueprint_is_listed_in_web():
    defined = {
        value
        for module in _modules(notifier.web)
        for value in vars(module).values()
        if isinstance(value, Blueprint)
    }
    assert defined == set(BLUEPRINTS)


def test_every_top_level_command_is_listed_in_cli():
    defined = {
        value
        for module in _modules(notifier.cli)
        for value in vars(module).values()
        if isinstance(value, click.Command) and value.name and not _is_subcommand(value)
    }
    assert defined == set(COMMANDS)


def _is_subcommand(command: click.Command) -> bool:
    groups = [c for c in COMMANDS if isinstance(c, click.Group)]
    return any(command in group.commands.values() for group in groups)
