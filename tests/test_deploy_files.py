"""The docker-compose file and systemd units run the README's commands, in the shape promised.

No network and no Docker needed: the files are parsed, as CI can.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = "/opt/notifier/.venv/bin/"


def readme_processes() -> dict[str, str]:
    """The Processes table of the README: process -> command."""
    text = (ROOT / "README.md").read_text()
    table = text.split("## Processes", 1)[1].split("\n\n", 2)[1]
    return dict(re.findall(r"^\| (\w+) \| `([^`]+)` \|", table, re.M))


def compose() -> dict:
    return yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())["services"]


def test_the_readme_names_the_four_processes():
    assert set(readme_processes()) == {"release", "web", "clock", "worker"}


def test_compose_runs_postgres_two_webs_two_workers_one_clock_and_a_mail_catcher():
    services, commands = compose(), readme_processes()
    by_command: dict[str, list[str]] = {}
    for name, service in services.items():
        if "command" in service:
            by_command.setdefault(service["command"], []).append(name)
    assert set(by_command) == set(commands.values())  # only the README's, and all of them
    replicas = {name: services[name].get("deploy", {}).get("replicas", 1) for name in services}
    count = {
        process: sum(replicas[n] for n in by_command[cmd]) for process, cmd in commands.items()
    }
    assert count == {"release": 1, "web": 2, "worker": 2, "clock": 1}
    assert services["db"]["image"].startswith("postgres:")
    assert "mailpit" in services["mail"]["image"]
    for name in (n for names in by_command.values() for n in names):
        env = services[name]["environment"]
        assert (
            env["NOTIFIER_DATABASE_URL"].startswith("postgresql://")
            and "@db:" in env["NOTIFIER_DATABASE_URL"]
        )
        assert env["NOTIFIER_MAIL_URL"] == "smtp://mail:1025"
        assert env["NOTIFIER_SECRET_KEY"].startswith("${NOTIFIER_SECRET_KEY:?")
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"
        if name != by_command[commands["release"]][0]:
            assert services[name]["depends_on"]["release"]["condition"] == (
                "service_completed_successfully"
            )
    ports = [services[n]["ports"] for n in by_command[commands["web"]]]
    assert sorted(port for group in ports for port in group) == ["5001:5000", "5002:5000"]


def test_the_systemd_units_run_the_readme_commands():
    commands = readme_processes()
    started = {}
    for unit in sorted((ROOT / "deploy" / "systemd").glob("*.service")):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str
        parser.read(unit)
        exec_start = parser["Service"]["ExecStart"]
        assert exec_start.startswith(VENV_BIN), unit.name
        started[unit.name] = exec_start[len(VENV_BIN) :]
        assert parser["Service"].get("EnvironmentFile") == "/etc/notifier/env"
    assert sorted(started.values()) == sorted(commands.values())
    assert "notifier-release.service" in (ROOT / "deploy/systemd/notifier-web.service").read_text()


def test_the_deploy_guide_lists_the_same_commands():
    guide = (ROOT / "docs" / "deploy.md").read_text()
    table = dict(re.findall(r"^\| (\w+) \| `([^`]+)` \|", guide, re.M))
    assert table == readme_processes()
