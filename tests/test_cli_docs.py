"""Every command of the CLI has an example in its help and is documented in the README."""

from pathlib import Path

import click
import pytest

from corpus.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "normdocs") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found += _commands(command, path)
        else:
            found.append((path, command))
    return found


COMMANDS = _commands(cli)


def test_the_cli_has_the_commands_the_readme_promises():
    names = {path for path, _ in COMMANDS}
    assert {"normdocs crawl", "normdocs build", "normdocs serve", "normdocs demo"} <= names


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_has_an_example_in_its_help(path, command):
    assert "Example" in (command.help or ""), path
    assert path in command.help, f"{path}: the example should show the command itself"


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS])
def test_every_command_is_documented_in_the_readme(path):
    assert path in README, f"{path} is missing from README.md"
