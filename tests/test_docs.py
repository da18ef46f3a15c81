"""The README documents every command, and every command has help text."""

import re

import pytest
from typer.main import get_command

from relais.cli import app
from tests.conftest import ROOT

pytestmark = pytest.mark.unit
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands():
    """Every command, sub-commands of a group included (`eval run`, `users add`…)."""
    found = []
    for name, command in get_command(app).commands.items():
        found.append((name, command))
        found += [(f"{name} {sub}", subcommand) for sub, subcommand in getattr(command, "commands", {}).items()]
    return sorted(found, key=lambda item: item[0])


@pytest.mark.parametrize(("name", "command"), commands())
def test_every_command_has_help_and_appears_in_the_readme(name, command):
    assert command.help, f"`relais {name}` has no help text"
    assert re.search(rf"relais {name}\b", README), f"`relais {name}` is missing from the README"


def test_every_setting_is_documented():
    from relais.settings import Settings

    for field in Settings.model_fields:
        assert f"RELAIS_{field.upper()}" in README, field
