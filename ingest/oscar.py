"""Oscar answer snippets: Relais's own export format (JSON Lines, or Markdown + YAML front matter).

Both forms carry the same fields, validated by `OscarSnippet`; see docs/oscar-format.md.
Only `published` snippets are indexed; a record that breaks the schema is rejected with its
file, line and reason while the others go in.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Iterator, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ingest.records import Ignored, Rejection, SourceUnreadable
from knowledge.types import AUDIENCES, SERVICES, Document, Link, Section
from knowledge.vocabulary import Audience, Service

SOURCE = "oscar"


class SnippetLink(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1)
    url: str = Field(pattern=r"^https?://\S+$")


class OscarSnippet(BaseModel):
    """One answer aid, as exported from Oscar."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: str = Field(min_length=1)
    services: list[Service] = Field(min_length=1)
    audience: list[Audience] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    body: str = Field(min_length=1)
    links: list[SnippetLink] = Field(default_factory=list)
    valid_from: date | None = None
    valid_until: date | None = None
    updated_at: date | datetime | None = None
    status: Literal["published", "draft", "archived"]

    @field_validator("valid_from", "valid_until", "updated_at", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value in ("", None) else value

    @model_validator(mode="after")
    def _dates_in_order(self) -> "OscarSnippet":
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until est antérieure à valid_from")
        return self

    def to_document(self) -> Document:
        return Document(
            doc_id=f"{SOURCE}:{self.id}",
            source=SOURCE,
            title=self.title,
            sections=(Section("", self.body),),
            url=self.links[0].url if self.links else None,
            services=tuple(dict.fromkeys(self.services)),
            audience=tuple(dict.fromkeys(self.audience)),
            tags=tuple(self.tags),
            links=tuple(Link(link.title, link.url) for link in self.links),
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            updated_at=self.updated_at.isoformat() if self.updated_at else None,
        )


_FIELD_NAMES = {"valid_from", "valid_until", "updated_at"}


_GENERIC = {  # the other pydantic error types, said in French
    "extra_forbidden": "champ inconnu",
    "literal_error": "valeur non admise (attendu : {expected})",
    "bool_type": "vrai ou faux attendu (true / false)",
    "bool_parsing": "vrai ou faux attendu (true / false)",
    "string_type": "texte attendu",
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "list_type": "liste attendue",
    "frozen_set_type": "liste attendue",
    "tuple_type": "liste attendue",
    "dict_type": "objet attendu",
    "greater_than_equal": "doit valoir au moins {ge}",
}


def explain(error: ValidationError) -> str:
    """A French, one-line reason from a pydantic validation error (Oscar snippets, eval datasets)."""
    reasons = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "enregistrement"
        kind = item["type"]
        value = item.get("input")
        if kind == "missing":
            reasons.append(f"champ obligatoire manquant : {field}")
        elif kind == "literal_error" and field.startswith("services"):
            reasons.append(f"service inconnu « {value} » (attendu : {', '.join(SERVICES)})")
        elif kind == "literal_error" and field.startswith("audience"):
            reasons.append(f"public inconnu « {value} » (attendu : {', '.join(AUDIENCES)})")
        elif kind == "literal_error" and field == "status":
            reasons.append(f"statut inconnu « {value} » (attendu : published, draft, archived)")
        elif kind.startswith(("date", "datetime")) or field in _FIELD_NAMES:
            reasons.append(f"date invalide pour {field} : « {value} » (format attendu AAAA-MM-JJ)")
        elif kind == "too_short" and field == "services":
            reasons.append("au moins un service est requis")
        elif kind in ("string_too_short", "too_short"):
            reasons.append(f"champ vide : {field}")
        elif kind == "string_pattern_mismatch":
            reasons.append(f"valeur mal formée pour {field} : « {value} »")
        elif kind == "value_error":
            reasons.append(str(item["msg"]).removeprefix("Value error, "))
        else:
            context = {key: str(v).replace(" or ", " ou ") for key, v in item.get("ctx", {}).items()}
            reasons.append(f"{field} : {_GENERIC.get(kind, 'valeur invalide').format(**context)}")
    return " ; ".join(reasons)


def _validate(raw: object, where: str) -> Document | Rejection | Ignored:
    if not isinstance(raw, dict):
        return Rejection(SOURCE, where, "l'enregistrement n'est pas un objet JSON")
    try:
        snippet = OscarSnippet.model_validate(raw)
    except ValidationError as exc:
        return Rejection(SOURCE, where, explain(exc))
    if snippet.status != "published":
        return Ignored(SOURCE, where, f"statut {snippet.status}")
    return snippet.to_document()


def parse_jsonl(path: Path) -> Iterator[Document | Rejection | Ignored]:
    """Snippets of a JSON Lines export, one per non-empty line."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise SourceUnreadable(f"Fichier Oscar illisible : {path} ({exc.strerror})") from exc
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Rejection(SOURCE, where, f"JSON invalide ({exc.msg}, colonne {exc.colno})")
                continue
            yield _validate(raw, where)


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)(.*)\Z", re.DOTALL)


def parse_markdown(path: Path) -> Document | Rejection | Ignored:
    """One snippet from a Markdown file with YAML front matter (the body is the Markdown)."""
    where = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Rejection(SOURCE, where, f"fichier illisible ({exc})")
    match = _FRONT_MATTER.match(text)
    if not match:
        return Rejection(SOURCE, where, "en-tête YAML (front matter entre deux lignes ---) manquant")
    try:
        raw = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        at = f" ligne {line + 2}" if line is not None else ""
        return Rejection(SOURCE, where, f"en-tête YAML invalide{at}")
    if isinstance(raw, dict):
        raw = {**raw, "body": match.group(2).strip()}
    return _validate(raw, where)


def parse_oscar(path: Path) -> Iterator[Document | Rejection | Ignored]:
    """Snippets from a `.jsonl` file, a `.md` file, or a folder of both (walked recursively)."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in (".jsonl", ".md") and p.is_file())
    elif path.exists():
        files = [path]
    else:
        raise SourceUnreadable(f"Source Oscar introuvable : {path}")
    for file in files:
        if file.suffix == ".md":
            yield parse_markdown(file)
        else:
            yield from parse_jsonl(file)


def count_records(path: Path) -> int:
    """Rough record count, for the progress bar."""
    if path.is_dir():
        return sum(count_records(p) for p in path.rglob("*") if p.suffix in (".jsonl", ".md"))
    if path.suffix == ".md":
        return 1
    try:
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    except OSError:
        return 0
