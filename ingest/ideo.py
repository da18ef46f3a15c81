"""Onisep Idéo open-data exports: fiches métiers and fiches formations (XML, optionally gzipped).

The exports are large (12-15 MB) and hold their long texts as HTML in CDATA: they are
streamed with `iterparse` and each record is freed once read. Elements are looked up by
name so both the 2024 shape (`formats_courts/format_court/descriptif`, ids as child
elements) and the newer one (a flat `format_court`, ids as attributes) are read.
"""

from __future__ import annotations

import gzip
import re
from datetime import date, datetime
from pathlib import Path
from typing import IO, Iterator

from lxml import etree

from ingest.html import clean_text, html_to_text
from ingest.records import Rejection, SourceUnreadable
from knowledge.types import AUDIENCES, SERVICES, Document, Link, Section

METIER, FORMATION = "ideo-metier", "ideo-formation"
ONISEP_URL = "https://www.onisep.fr/http/redirection/{kind}/slug/{identifiant}"
_ID = {METIER: re.compile(r"^MET\.\d+$"), FORMATION: re.compile(r"^FOR\.\d+$")}

METIER_SECTIONS = (
    ("accroche_metier", "En bref"),
    ("nature_travail", "Nature du travail"),
    ("competences", "Compétences"),
    ("condition_travail", "Conditions de travail"),
    ("vie_professionnelle", "Vie professionnelle et salaire"),
    ("acces_metier", "Accès au métier"),
)
FORMATION_SECTIONS = (
    ("descriptif_format_court", "Présentation"),
    ("descriptif_acces", "Accès"),
    ("attendus", "Attendus"),
    ("descriptif_poursuite_etudes", "Poursuite d'études"),
)


def open_export(path: Path) -> IO[bytes]:
    """Open an export, gunzipping `.gz` files (or any file that starts with the gzip magic)."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise SourceUnreadable(f"Export Idéo illisible : {path} ({exc.strerror})") from exc
    if handle.read(2) == b"\x1f\x8b":
        handle.close()
        return gzip.open(path, "rb")
    handle.seek(0)
    return handle


def _text(element: etree._Element, path: str) -> str:
    return clean_text(element.findtext(path))


def _texts(element: etree._Element, path: str) -> list[str]:
    return [t for t in (clean_text(e.text) for e in element.iterfind(path)) if t]


def _identifier(element: etree._Element) -> str:
    return clean_text(element.get("identifiant") or element.findtext("identifiant"))


def _unique(values: list[str], exclude: str = "") -> tuple[str, ...]:
    seen = {exclude.lower()}
    names = []
    for value in values:
        if value and value.lower() not in seen:
            seen.add(value.lower())
            names.append(value)
    return tuple(names)


def _facts(pairs: list[tuple[str, list[str] | str]]) -> str:
    lines = []
    for label, value in pairs:
        values = [value] if isinstance(value, str) else value
        values = [v for v in values if v]
        if values:
            lines.append(f"{label} : {', '.join(dict.fromkeys(values))}")
    return "\n".join(lines)


def _sections(element: etree._Element, fields: tuple[tuple[str, str], ...]) -> list[Section]:
    sections = []
    for tag, heading in fields:
        text = html_to_text(element.findtext(tag))
        if text:
            sections.append(Section(heading, text))
    return sections


def _id_problem(source: str, identifiant: str) -> str | None:
    if not identifiant:
        return "identifiant manquant"
    if not _ID[source].match(identifiant):
        expected = "MET.n" if source == METIER else "FOR.n"
        return f"identifiant mal formé « {identifiant} » (attendu {expected})"
    return None


def _fiche(source: str, identifiant: str, title: str, sections: list[Section], names: tuple[str, ...], **extra) -> Document:
    """A public fiche: it serves every hotline and every audience, and links to onisep.fr."""
    return Document(
        doc_id=f"{source}:{identifiant}",
        source=source,
        title=title,
        sections=tuple(sections),
        url=ONISEP_URL.format(kind=source.removeprefix("ideo-"), identifiant=identifiant),
        names=names,
        services=SERVICES,
        audience=AUDIENCES,
        **extra,
    )


def metier_document(element: etree._Element, where: str) -> Document | Rejection:
    """One `<metier>` element as a Document (or the reason it cannot be one)."""
    identifiant = _identifier(element)
    if problem := _id_problem(METIER, identifiant):
        return Rejection(METIER, where, problem)
    title = _text(element, "nom_metier")
    if not title:
        return Rejection(METIER, f"{where} ({identifiant})", "nom_metier vide")
    names = _unique(
        [_text(element, "libelle_feminin"), _text(element, "libelle_masculin")]
        + [clean_text(e.text) for e in element.iterfind("synonymes/synonyme/*")],
        exclude=title,
    )
    # 2024: formats_courts/format_court/descriptif; newer: a flat <format_court> with HTML.
    short = [html_to_text(e.text) for e in element.iterfind("formats_courts/format_court/descriptif")]
    short += [html_to_text(e.text) for e in element.iterfind("format_court") if len(e) == 0]
    sections = _sections(element, METIER_SECTIONS[:1])
    if short and short[0]:
        sections.append(Section("Résumé", short[0]))
    facts = _facts(
        [
            ("Niveau d'accès minimum", _text(element, "niveau_acces_min/libelle")),
            ("Formations minimales requises", _texts(element, "formations_min_requise/formation_min_requise/libelle")),
            ("Secteurs d'activité", _texts(element, "secteurs_activite/secteur_activite/libelle")),
            ("Centres d'intérêt", _texts(element, "centres_interet/centre_interet/libelle")),
            ("Statuts", _texts(element, "statuts/statut/libelle")),
            ("Métiers associés", _texts(element, "metiers_associes/metier_associe/libelle")),
            ("Codes ROME", _texts(element, "romesV3/romeV3")),
        ]
    )
    if facts:
        sections.append(Section("Repères", facts))
    sections += _sections(element, METIER_SECTIONS[1:])
    return _fiche(METIER, identifiant, title, sections, names)


def _french_date(value: str, field: str) -> str | None:
    """dd/mm/yyyy -> ISO date; raises ValueError with a French reason."""
    if not value:
        return None
    try:
        return datetime.strptime(value, "%d/%m/%Y").date().isoformat()
    except ValueError as exc:
        raise ValueError(f"date invalide pour {field} : « {value} » (format attendu JJ/MM/AAAA)") from exc


def formation_document(element: etree._Element, where: str) -> Document | Rejection:
    """One `<formation>` element as a Document (or the reason it cannot be one)."""
    identifiant = _identifier(element)
    if problem := _id_problem(FORMATION, identifiant):
        return Rejection(FORMATION, where, problem)
    where = f"{where} ({identifiant})"
    title = _text(element, "libelle_complet")
    if not title:
        return Rejection(FORMATION, where, "libelle_complet vide")
    try:
        updated_at = _french_date(_text(element, "modification_date"), "modification_date")
        _french_date(_text(element, "creation_date"), "creation_date")
    except ValueError as exc:
        return Rejection(FORMATION, where, str(exc))
    type_sigle = _text(element, "type_Formation/type_formation_sigle")
    sigle = _text(element, "sigle")
    names = _unique(
        [
            f"{type_sigle} {sigle}".strip() if sigle else "",
            sigle,
            _text(element, "libelle_generique"),
            _text(element, "libelle_specifique"),
        ],
        exclude=title,
    )
    poursuites = _texts(element, "poursuites_etudes/poursuite_etudes/formation_poursuite_Etudes")
    metiers = _texts(element, "metiers_formation/metier/nom_metier")
    facts = _facts(
        [
            ("Type de formation", _text(element, "type_Formation/type_formation_libelle")),
            ("Durée", _text(element, "duree_formation").strip("\"'« »")),
            ("Niveau de sortie", _text(element, "niveau_certification")),
            ("Niveau d'études", _text(element, "niveau_etudes/libelle")),
            ("Nature du diplôme", _texts(element, "nature_certificat/libelle_nature_certificat")),
            ("Domaines", _texts(element, "sous_domaines_web/sous_domaine_web/libelle")),
            ("Enseignements", _texts(element, "element_enseignement/element_enseignement_libelle")),
        ]
    )
    sections = [Section("Repères", facts)] if facts else []
    sections += _sections(element, FORMATION_SECTIONS)
    if poursuites:
        sections.append(Section("Poursuites d'études possibles", "\n".join(f"- {p}" for p in poursuites)))
    if metiers:
        sections.append(Section("Métiers accessibles", ", ".join(dict.fromkeys(metiers))))
    reference = _text(element, "url")
    links = (Link("Référentiel du diplôme", reference),) if reference.startswith("http") else ()
    return _fiche(FORMATION, identifiant, title, sections, names, links=links, updated_at=updated_at)


def _records(path: Path, tag: str, source: str, build) -> Iterator[Document | Rejection]:
    """Stream the top-level `tag` records of an export; XML errors become fatal rejections."""
    handle = open_export(path)
    context = etree.iterparse(handle, events=("end",), tag=tag, recover=True, huge_tree=True)
    number = 0
    try:
        for _, element in context:
            parent = element.getparent()
            if parent is None or parent.getparent() is not None:
                continue  # a nested element of the same name (e.g. formation -> metiers_formation/metier)
            number += 1
            yield build(element, f"{path.name} #{number} ligne {element.sourceline}")
            element.clear()
            while element.getprevious() is not None:
                del parent[0]
    except (etree.XMLSyntaxError, OSError, EOFError) as exc:
        yield Rejection(source, path.name, f"XML illisible après l'enregistrement #{number} : {exc}", fatal=True)
    finally:
        handle.close()
    for error in context.error_log:
        if error.level_name in ("ERROR", "FATAL"):
            yield Rejection(source, f"{path.name} ligne {error.line}", f"XML mal formé : {error.message}", fatal=True)
    if number == 0:
        raise SourceUnreadable(f"Aucune fiche <{tag}> trouvée dans {path.name} : est-ce le bon export ?")


def parse_metiers(path: Path) -> Iterator[Document | Rejection]:
    """Fiches métiers (root `<metiers>`, one `<metier>` each)."""
    return _records(path, "metier", METIER, metier_document)


def parse_formations(path: Path) -> Iterator[Document | Rejection]:
    """Fiches formations (root `<formations>`, one `<formation>` each)."""
    return _records(path, "formation", FORMATION, formation_document)


def count_records(path: Path, tag: str) -> int:
    """Rough record count from a byte scan, for the progress bar."""
    opening, spaced = f"<{tag}>".encode(), f"<{tag} ".encode()
    total, tail = 0, b""
    try:
        with open_export(path) as handle:
            while block := handle.read(1 << 20):
                data = tail + block
                total += data.count(opening) + data.count(spaced)
                tail = data[-len(spaced) :]
                total -= tail.count(opening) + tail.count(spaced)
    except (OSError, EOFError, SourceUnreadable):
        return 0
    return total
