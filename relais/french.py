"""The `relais` command speaks French in full: click's and typer's own texts (usage line, panel
titles, « --help », errors, password confirmation) translated here.

click and typer mark these texts for gettext (`from gettext import gettext as _`) but ship no
French catalogue, and the process's locale is usually C on a server. `install()` gives their
modules a gettext that reads the catalogue below, whatever the locale; a text missing from it
stays as it is (a newer click may add some: `tests/test_cli_french.py` reads every help page and
a few errors, and fails on English).
"""

from __future__ import annotations

import gettext
import sys

CATALOGUE: dict[str, str] = {
    # click: help, usage and prompts
    "Usage:": "Utilisation :",
    "Show this message and exit.": "Affiche cette aide et quitte.",
    "Show the version and exit.": "Affiche la version et quitte.",
    "Options": "Options",
    "Commands": "Commandes",
    "Arguments": "Arguments",
    "Positional arguments": "Arguments positionnels",
    "Repeat for confirmation": "Confirmez",
    "Error: The two entered values do not match.": "Erreur : les deux saisies ne sont pas identiques.",
    "Error: invalid input": "Erreur : saisie invalide",
    "Do you want to continue?": "Voulez-vous continuer ?",
    "Confirm the action without prompting.": "Confirme l'action sans la demander.",
    "Press any key to continue...": "Appuyez sur une touche pour continuer…",
    "Aborted!": "Interrompu.",
    "Aborted.": "Interrompu.",
    "default: {default}": "défaut : {default}",
    "required": "obligatoire",
    "env var: {var}": "variable d'environnement : {var}",
    "deprecated": "obsolète",
    # click: errors
    "Error": "Erreur",
    "Error: {message}": "Erreur : {message}",
    "Try '{command} {option}' for help.": "Essayez « {command} {option} » pour l'aide.",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "Missing argument": "Argument manquant",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing parameter: {param_name}": "Paramètre manquant : {param_name}",
    "Missing {param_type}": "{param_type} manquant",
    "Missing command.": "Commande manquante.",
    "No such command {name!r}.": "Commande inconnue : {name!r}.",
    "No such option {name!r}.": "Option inconnue : {name!r}.",
    "No such option: {name}": "Option inconnue : {name}",
    "Option {name!r} does not take a value.": "L'option {name!r} ne prend pas de valeur.",
    "Argument {name!r} takes {nargs} values.": "L'argument {name!r} prend {nargs} valeurs.",
    "{value!r} is not a valid {number_type}.": "{value!r} n'est pas un {number_type} valide.",
    "integer": "entier",
    "float": "nombre",
    "{value} is not in the range {range}.": "{value} n'est pas dans l'intervalle {range}.",
    "{value!r} is not a valid UUID.": "{value!r} n'est pas un UUID valide.",
    "{value!r} is not a valid boolean.": "{value!r} n'est pas un booléen valide.",
    "{value!r} is not a valid integer.": "{value!r} n'est pas un entier valide.",
    "{value!r} is not a valid float.": "{value!r} n'est pas un nombre valide.",
    "Could not open file {filename!r}: {message}": "Impossible d'ouvrir le fichier {filename!r} : {message}",
    "{name} {filename!r} does not exist.": "{name} {filename!r} n'existe pas.",
    "{name} {filename!r} is a file.": "{name} {filename!r} est un fichier.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} est un dossier.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} n'est pas lisible.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} n'est pas modifiable.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} n'est pas exécutable.",
    "file": "fichier",
    "directory": "dossier",
    "path": "chemin",
    "Choose from:\n\t{choices}": "Choisissez parmi :\n\t{choices}",
    "unknown error": "erreur inconnue",
    # typer's rich help
    "(deprecated) ": "(obsolète) ",
    "[default: {}]": "[défaut : {}]",
    "[env var: {}]": "[variable d'environnement : {}]",
    "[required]": "[obligatoire]",
    "Try [blue]'{command_path} {help_option}'[/] for help.": "Essayez [blue]« {command_path} {help_option} »[/] pour l'aide.",
}

PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Argument en trop : ({args})", "Arguments en trop : ({args})"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("L'option {name!r} demande une valeur.", "L'option {name!r} demande {nargs} valeurs."),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} n'est pas {choice}.", "{value!r} n'est pas parmi {choices}."),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Vouliez-vous dire {possibility} ?", "(Vouliez-vous dire l'une de : {possibilities} ?)"),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("Prend {nargs} valeurs, 1 donnée.", "Prend {nargs} valeurs, {len} données."),
}

# pydantic's errors (the settings read RELAIS_* with pydantic), by error type.
VALIDATION: dict[str, str] = {
    "missing": "valeur manquante",
    "int_parsing": "un nombre entier est attendu",
    "int_from_float": "un nombre entier est attendu",
    "float_parsing": "un nombre est attendu",
    "bool_parsing": "oui/non attendu (true, false, 1, 0)",
    "greater_than": "doit être supérieur à {gt}",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "less_than": "doit être inférieur à {lt}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "string_too_short": "trop court (au moins {min_length} caractères)",
    "string_too_long": "trop long (au plus {max_length} caractères)",
    "too_short": "trop peu d'éléments (au moins {min_length})",
    "literal_error": "valeurs possibles : {expected}",
    "enum": "valeurs possibles : {expected}",
    "date_from_datetime_parsing": "date attendue au format AAAA-MM-JJ",
    "date_parsing": "date attendue au format AAAA-MM-JJ",
    "url_parsing": "adresse (URL) invalide",
    "json_invalid": "JSON invalide",
    "list_type": "une liste est attendue (JSON, par exemple [\"a\", \"b\"])",
}


def validation_message(error: dict) -> str:
    """One pydantic error in French: our own validators' messages as they are."""
    if error.get("type") == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    template = VALIDATION.get(str(error.get("type")))
    if template is None:
        return "valeur invalide"
    try:
        return template.format(**error.get("ctx", {}))
    except (KeyError, IndexError):
        return "valeur invalide"


_TYPE_NAMES = {"StringParamType": "texte", "IntParamType": "entier", "FloatParamType": "nombre",
               "IntRange": "entier", "FloatRange": "nombre", "Choice": "choix",
               "Path": "chemin", "File": "fichier", "DateTime": "date", "UUIDParameterType": "uuid"}

# Constants typer's rich help computed with gettext when it was imported.
_TYPER_CONSTANTS = ("DEPRECATED_STRING", "DEFAULT_STRING", "ENVVAR_STRING", "REQUIRED_LONG_STRING",
                    "ARGUMENTS_PANEL_TITLE", "OPTIONS_PANEL_TITLE", "COMMANDS_PANEL_TITLE",
                    "ERRORS_PANEL_TITLE", "ABORTED_TEXT", "RICH_HELP")


_gettext, _ngettext = gettext.gettext, gettext.ngettext


def french(message: str) -> str:
    return CATALOGUE.get(message) or _gettext(message)


def french_plural(singular: str, plural: str, n: int) -> str:
    if (singular, plural) in PLURALS:
        one, many = PLURALS[(singular, plural)]
        return one if n == 1 else many
    return _ngettext(singular, plural, n)


def install() -> None:
    """The French catalogue for click's and typer's modules: those imported later (typer imports
    most of them lazily) bind `gettext.gettext` when they are imported, those already imported
    are given it now."""
    gettext.gettext, gettext.ngettext = french, french_plural
    for name, module in list(sys.modules.items()):
        if not name.startswith(("click", "typer")) or module is None:
            continue
        if getattr(module, "_", None) is _gettext:
            module._ = french
        if getattr(module, "ngettext", None) is _ngettext:
            module.ngettext = french_plural
    import click

    for kind, name in _TYPE_NAMES.items():  # the metavars (TEXTE, ENTIER…) and « n'est pas un entier valide »
        setattr(getattr(click.types, kind), "name", name)
    rich_utils = sys.modules.get("typer.rich_utils")
    if rich_utils is not None:
        for constant in _TYPER_CONSTANTS:
            setattr(rich_utils, constant, french(getattr(rich_utils, constant)))
