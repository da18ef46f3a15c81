"""French recognizers for presidio: the identifiers a pupil or a parent gives in a tchat.

Presidio's own context words are English and its built-in recognizers miss French
identifiers, so each type here is a regex with a check: a key or checksum (NIR, IBAN), a
French numbering plan (phones), or a cue word (dossier numbers, dates of birth, names
introduced by "je m'appelle", "mon fils", "Mme").
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from assistant.pii.checksums import iban_is_valid, nir_is_valid, phone_canonical

_FLAGS = re.IGNORECASE | re.UNICODE


class RegexRecognizer(EntityRecognizer):
    """One entity type: every match of `pattern` (its `value` group) that passes `check`."""

    def __init__(
        self,
        entity: str,
        pattern: str,
        score: float = 0.9,
        check: Callable[[str], bool] | None = None,
        flags: int = _FLAGS,
    ) -> None:
        self._regex = re.compile(pattern, flags)
        self._score = score
        self._check = check
        super().__init__(supported_entities=[entity], supported_language="fr", name=f"fr-{entity.lower()}")

    def load(self) -> None:  # nothing to load
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        results = []
        for match in self._regex.finditer(text):
            start, end = match.span("value")
            value = text[start:end]
            if self._check is None or self._check(value):
                results.append(RecognizerResult(self.supported_entities[0], start, end, self._score))
        return results


_PHONE = r"(?<![\w+])(?P<value>(?:\+33|0033)\s?(?:\(0\)\s?)?[1-9](?:[\s.\-]?\d{2}){4}|0[1-9](?:[\s.\-]?\d{2}){4})(?!\d)"
_EMAIL = r"(?P<value>\b[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[a-z]{2,}\b)"
_IBAN = r"(?P<value>\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b)"
_NIR = r"(?<!\d)(?P<value>[12]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2A|2B)\s?\d{3}\s?\d{3}\s?\d{2})(?!\d)"
_INE = r"(?<![\w])(?P<value>\d{10}[A-Z]|\d{9}[A-Z]{2})(?![\w])"
_DOSSIER = (
    r"(?:n°|no\.?|num(?:é|e)ro|num)\s*(?:de\s+|du\s+)?(?:mon\s+)?"
    r"(?:dossier|candidat(?:ure)?|parcoursup|mon\s?master|inscription)"
    r"(?:\s+(?:parcoursup|mon\s?master|candidat))?\s*(?:n°|no\.?|:|est|c'est|=)?\s*"
    r"(?P<value>\d{5,9})(?!\d)"
    r"|(?:dossier|candidat)\s*(?:n°|no\.?|num(?:é|e)ro)\s*:?\s*(?P<value2>\d{5,9})(?!\d)"
)
_MONTHS = "janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre"
_DATE = (
    rf"(?:\d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?:19|20)?\d{{2}}|(?:1er|\d{{1,2}})\s+(?:{_MONTHS})\s+(?:19|20)\d{{2}}"
    rf"|(?:19|20)\d{{2}}-\d{{2}}-\d{{2}}|(?:{_MONTHS})\s+(?:19|20)\d{{2}}|(?:19|20)\d{{2}})"
)
_BIRTH = (
    r"(?:n[ée]+(?:\(e\))?\s+(?:le|en|au\s+mois\s+d[e'])\s*|date\s+de\s+naissance\s*(?:(?:est|c'est|:)\s*)?(?:le\s+)?"
    r"|naissance\s*:\s*|anniversaire\s+(?:est\s+)?le\s+|né\(e\)\s+le\s+)"
    rf"(?P<value>{_DATE})"
)
_STREET = (
    r"rue|avenue|av\.|boulevard|bd|chemin|all[ée]e|impasse|place|route|quai|cours|square|r[ée]sidence"
    r"|lotissement|chauss[ée]e|faubourg|passage|sentier|hameau|lieu[\s-]dit|cit[ée]|villa|esplanade|voie|rond[\s-]point"
)
_ADDRESS = (
    rf"(?P<value>\b\d{{1,4}}(?:\s?(?:bis|ter|b|t))?,?\s+(?:{_STREET})\b[\w'’\-. ]{{1,60}}?"
    r"(?:(?:,?\s+\d{5}(?:\s+[A-ZÉÈÎ][\w'’\-]*(?:[\s\-][A-Za-zÉÈÎéèîô][\w'’\-]*){0,3})?)|(?=[,.;!?\n]|\s+(?:et|à|a|pour|mais|svp|merci)\b|$)))"
)


def _address_check(value: str) -> bool:
    return len(value.split()) >= 3


def _dossier_recognizer() -> RegexRecognizer:
    recognizer = RegexRecognizer("DOSSIER", _DOSSIER, score=0.85)

    def analyze(text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        results = []
        for match in recognizer._regex.finditer(text):
            group = "value" if match.group("value") else "value2"
            start, end = match.span(group)
            results.append(RecognizerResult("DOSSIER", start, end, 0.85))
        return results

    recognizer.analyze = analyze  # type: ignore[method-assign]
    return recognizer


def identifier_recognizers() -> list[EntityRecognizer]:
    """Structured identifiers: they win over a name found in the same span."""
    return [
        RegexRecognizer("EMAIL", _EMAIL, score=0.99),
        RegexRecognizer("IBAN", _IBAN, score=0.99, check=iban_is_valid),
        RegexRecognizer("NIR", _NIR, score=0.99, check=nir_is_valid),
        RegexRecognizer("INE", _INE, score=0.9),
        _dossier_recognizer(),
        RegexRecognizer("TELEPHONE", _PHONE, score=0.9, check=_personal_phone),
        RegexRecognizer("DATE_NAISSANCE", _BIRTH, score=0.9),
        RegexRecognizer("ADRESSE", _ADDRESS, score=0.8, check=_address_check),
    ]


def _personal_phone(value: str) -> bool:
    number = phone_canonical(value)
    # 08 numbers are service lines (numéros verts, hotlines), never a person's number.
    return number is not None and not number.startswith("08")


# -- names ---------------------------------------------------------------------------------
NAME_STOPWORDS = frozenset(
    """a à au aux avec ce cet cette ces c ça de des du d elle en est et il ils je j la le les l leur lui
    ma mais me mes moi mon ne n nous on ou où par pas pour qu que qui sa se ses si son sur ta te tes toi ton
    tu un une vous y suis es sommes êtes sont ai as avons avez ont était serai serait veux veut voudrais
    voudrait souhaite souhaiterais aimerais aimerait fait fais vais va vient passe passé actuellement
    bien très trop aussi encore toujours déjà juste vraiment plutôt élève eleve étudiant etudiant étudiante
    etudiante lycéen lycéenne candidat candidate terminale première premiere seconde 3e 4e inscrit inscrite
    parent parents père mère pere mere maman papa fils fille enfant née ne né nee habite habitons
    bonjour bonsoir merci svp stp cordialement madame monsieur mme mlle m mr
    perdu perdue inquiet inquiète inquiete désolé désolée desole desolee content contente en pleine""".split()
)
_NAME_TOKEN = r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'’\-]*"
_NAME_CUES = (
    r"je\s+m['’]?\s*appel+e|j['’]?\s*m['’]?\s*appel+e|mon\s+(?:nom|prénom|prenom)\s+(?:est|c['’]est)|moi\s+c['’]est"
    r"|mon\s+(?:fils|enfant|neveu|petit[\s-]fils|fr[èe]re|mari)|ma\s+(?:fille|ni[èe]ce|petite[\s-]fille|s[œo]e?ur|femme)"
    r"|mme|madame|mlle|mademoiselle|monsieur|m\.|mr\.?|sign[ée]|de\s+la\s+part\s+de"
)
_CUED_NAME = re.compile(
    rf"(?:(?<=\W)|^)(?:{_NAME_CUES})\s*,?\s+(?P<value>{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,2}})", _FLAGS
)
_I_AM = re.compile(
    rf"(?:(?<=\W)|^)(?:je\s+suis|c['’]est|ici)\s+(?P<value>[A-ZÀ-Ö][\w'’\-]+(?:\s+[A-ZÀ-Ö][\w'’\-]+){{0,2}})", re.UNICODE
)
_SIGNATURE = re.compile(
    rf"(?:cordialement|bien\s+[àa]\s+vous|merci(?:\s+d'avance|\s+beaucoup)?|bonne\s+journ[ée]e)\s*[,.!]?\s*\n?\s*"
    rf"(?P<value>[A-ZÀ-Ö][\w'’\-]+(?:\s+[A-ZÀ-Ö][\w'’\-]+){{0,2}})\s*[.!]?\s*$",
    re.UNICODE,
)


def _trim_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Keep the leading tokens that can be a name (stop at the first function word)."""
    kept_end = start
    for match in re.finditer(_NAME_TOKEN, text[start:end]):
        if match.group(0).lower().strip("'’-") in NAME_STOPWORDS:
            break
        kept_end = start + match.end()
    return (start, kept_end) if kept_end > start else None


class CuedNameRecognizer(EntityRecognizer):
    """Names introduced by a cue ("je m'appelle kevin dupont", "mon fils lucas", "Mme Benali")."""

    def __init__(self) -> None:
        super().__init__(supported_entities=["PERSON"], supported_language="fr", name="fr-cued-name")

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        results = []
        for regex in (_CUED_NAME, _I_AM, _SIGNATURE):
            for match in regex.finditer(text):
                span = _trim_name(text, *match.span("value"))
                if span:
                    results.append(RecognizerResult("PERSON", span[0], span[1], 0.9))
        return results


def spans(results: Iterable[RecognizerResult]) -> list[tuple[int, int, str]]:
    return [(r.start, r.end, r.entity_type) for r in results]
