"""The docs are held honest: every command, option and setting is documented, and the README's
two commands are the ones CI runs."""

from __future__ import annotations

import dataclasses
import re

import click
import pytest

from conftest import ROOT
from euprojects.cli import cli
from euprojects.settings import Settings


def _commands(group: click.Group, prefix: str = "euprojects"):
    yield prefix, group
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from _commands(command, path)
        else:
            yield path, command


def _section(text: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"docs/cli.md has no section '## {heading}'"
    return match.group(1)


@pytest.mark.parametrize(
    ("path", "command"),
    [(p, c) for p, c in _commands(cli) if not (isinstance(c, click.Group) and p != "euprojects")],
)
def test_every_command_and_option_is_documented(path, command):
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    section = _section(text, path)
    for param in command.params:
        if isinstance(param, click.Option):
            assert any(f"`{opt}" in section for opt in param.opts), (path, param.opts)


def test_every_setting_is_documented():
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for f in dataclasses.fields(Settings):
        assert f"| `{f.name}` | `EUPROJECTS_{f.name.upper()}` |" in text
        assert f.metadata["help"] in text


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", readme, re.S).group(1).splitlines()
    assert [line.split()[0] for line in block[:2]] == ["./scripts/start", "./scripts/test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "./scripts/test" in [line.strip() for line in ci.splitlines()]
    for script in ("start", "test", "setup"):
        assert (ROOT / "scripts" / script).stat().st_mode & 0o111


def test_docs_name_no_machine_paths():
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?<![\w.])/(work|home|root|tmp)/", text), path.name
