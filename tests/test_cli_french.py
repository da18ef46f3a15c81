"""`relais` speaks French in full: every help page, the usage errors and the password prompt,
click's and typer's own texts included (relais/french.py)."""

import re

import pytest
from typer.testing import CliRunner

from relais.cli import app
from tests.test_docs import commands

pytestmark = pytest.mark.unit
runner = CliRunner()

# Words of click's and typer's English texts; none may reach a reader of `relais`.
ENGLISH = re.compile(r"\b(Usage|Show this|Commands|Error|Try '|Missing|Invalid|No such|default:|required\]|"
                     r"TEXT|INTEGER|PATH|FLOAT|Aborted|Repeat for)\b")


def english_in(text: str) -> list[str]:
    return ENGLISH.findall(text)


@pytest.mark.parametrize("name", ["", *[name for name, _ in commands()]])
def test_every_help_page_is_french(name):
    result = runner.invoke(app, [*name.split(), "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Utilisation" in result.output and "Affiche cette aide et quitte." in result.output
    assert english_in(result.output) == [], result.output


@pytest.mark.parametrize(("args", "french"), [
    (["search", "--k", "0", "bourse"], "0 n'est pas dans l'intervalle"),
    (["serve", "--port", "huit"], "n'est pas un entier valide"),
    (["stats", "--from", "2026-01-01"], "Option manquante"),
    (["search", "--inconnue"], "Option inconnue"),
    (["inconnue"], "Commande inconnue"),
    (["scrub", "en", "trop"], "Arguments en trop"),
])
def test_usage_errors_are_french(args, french):
    result = runner.invoke(app, args, terminal_width=200, prog_name="relais")
    assert result.exit_code == 2
    assert french in result.output and "Essayez « relais" in result.output, result.output
    assert english_in(result.output) == [], result.output


def test_the_password_prompt_is_french():
    import typer

    asking = typer.Typer()

    @asking.command()
    def ask() -> None:
        typer.prompt("Mot de passe", confirmation_prompt=True)

    result = runner.invoke(asking, [], input="correct-horse-battery\nautre-chose-encore\n")
    assert "Confirmez" in result.output and "les deux saisies ne sont pas identiques" in result.output, result.output
    assert english_in(result.output) == [], result.output


def test_a_piped_password_and_a_bad_role_get_french_answers(tmp_path):
    env = {"RELAIS_HOME": str(tmp_path)}
    mismatch = runner.invoke(app, ["users", "add", "c.martin", "--role", "supervisor"],
                             input="correct-horse-battery\nautre-chose-encore\n", env=env)
    assert mismatch.exit_code == 2 and "les deux saisies du mot de passe ne sont pas identiques" in mismatch.output
    assert "Warning" not in mismatch.output and english_in(mismatch.output) == [], mismatch.output
    bad_role = runner.invoke(app, ["users", "add", "x.durand", "--role", "chef"], input="", env=env)
    assert bad_role.exit_code == 2 and "rôle inconnu « chef »" in bad_role.output and "Mot de passe" not in bad_role.output


def test_a_bad_setting_is_explained_in_french(tmp_path):
    result = runner.invoke(app, ["users", "list"], env={"RELAIS_HOME": str(tmp_path), "RELAIS_RETENTION_DAYS": "abc",
                                                        "RELAIS_LOG_DAYS": "0"}, terminal_width=200)
    shown = " ".join(result.output.split())  # the console wraps long lines
    assert result.exit_code == 2
    assert "RELAIS_RETENTION_DAYS : un nombre entier est attendu" in shown, shown
    assert "RELAIS_LOG_DAYS : doit être supérieur ou égal à 1" in shown and "Input should" not in shown
