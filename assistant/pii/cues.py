"""Identifiers and dates of birth as people write them: in any grouping, and after their cue words.

A shape alone is accepted where a check says it is that identifier (the NIR's key, a French
numbering plan, an international dialling code). After the words that announce it (« n° de
dossier », « identifiant », « sécu », « ddn », « né le »…), a shape is accepted even when its
key is missing or wrong: a person who mistypes their number still gave it. Look-alikes stay
visible: deadlines (« avant le 12 mars »), service lines (« standard : 01… »), ranks and years.
"""

from __future__ import annotations

import re
from datetime import date

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from assistant.pii.checksums import compact, iban_is_valid, nir_is_valid, phone_canonical

_FLAGS = re.IGNORECASE | re.UNICODE
_SEP = r"[ \t.\-]{0,3}"  # what people put between digit groups: spaces (several), dots, dashes
_END_OF_SENTENCE = re.compile(r"[!?\n]|\.(?:\s|$)")

# -- NIR -------------------------------------------------------------------------------------
_NIR_SHAPE = re.compile(rf"(?<![\w+])[12](?:{_SEP}[0-9AB]){{12,14}}(?![\w]|{_SEP}\d)", _FLAGS)
_NIR_CUE = re.compile(
    r"(?<!\w)(?:s[ée]cu(?:rit[ée]\s+sociale)?|nir|n°\s*(?:de\s+)?ss|num[ée]ro\s+ss|carte\s+vitale|insee|immatriculation)\b", _FLAGS
)


def _nir_body_plausible(number: str) -> bool:
    """Sex, year, month of a NIR (month 01-12, or 20-42 / 50-99 for unknown months)."""
    month = int(number[3:5]) if number[3:5].isdigit() else 0
    return number[0] in "12" and (1 <= month <= 12 or 20 <= month <= 42 or 50 <= month <= 99)


# After its cue, a NIR may be cut by slashes (« 2/09/01/… », as a form's boxes give it) or wrapped over a line.
_NIR_CUED_SHAPE = re.compile(r"(?<![\w+/])[12](?:(?:[ \t.\-/]{0,3}|[ \t]*\n[ \t]*)[0-9AB]){12,14}(?![\w/]|[ \t.\-]{0,3}\d)", _FLAGS)


def find_nirs(text: str) -> list[tuple[str, int, int]]:
    found = []
    shapes = [(m, False) for m in _NIR_SHAPE.finditer(text)] + [(m, True) for m in _NIR_CUED_SHAPE.finditer(text)]
    for match, needs_cue in shapes:
        number = re.sub(r"[ \t\n.\-/]", "", match.group(0)).upper()
        if len(number) not in (13, 15):
            continue
        cued = _cue_before(_NIR_CUE, text, match.start(), 60)
        if needs_cue and not cued:
            continue
        if nir_is_valid(number) or (_nir_body_plausible(number) and (cued or len(number) == 13)) or (cued and len(number) >= 13):
            key = _NIR_KEY_AFTER.match(text, match.end()) if len(number) == 13 else None
            found.append(("NIR", match.start(), key.end() if key else match.end()))
    return found


# The key given apart: « 2 94 11 69 388 052 clé 47 », « …052 (clé : 47) ».
_NIR_KEY_AFTER = re.compile(r"[ \t,—–\-]*(?:\(?\s*(?:cl[ée]|key)\s*:?\s*|/[ \t]*)\d{2}(?!\d)\)?", re.IGNORECASE)  # « …318 / 49 »


# -- IBAN ------------------------------------------------------------------------------------
# Groups of four (letters allowed, in capitals), the last one shorter and digits only.
_IBAN_SHAPE = re.compile(rf"(?<![\w])[A-Za-z]{{2}}\d{{2}}(?:{_SEP}(?:[A-Z0-9]{{4}}|\d{{1,3}}(?![\w])|\d{{4}})){{3,8}}(?![\w])")


# Each country's IBAN length (ISO 13616 registry; the countries French hotline writers bank in, and the African
# countries whose banks give IBAN-shaped numbers): a number of that length is someone's account even if mistyped.
_IBAN_LENGTHS = {
    "FR": 27, "MC": 27, "BE": 16, "LU": 20, "CH": 21, "LI": 21, "DE": 22, "AT": 20, "NL": 18, "ES": 24, "PT": 25, "IT": 27, "SM": 27,
    "GB": 22, "IE": 22, "PL": 28, "RO": 24, "GR": 27, "TR": 26, "DK": 18, "SE": 24, "NO": 15, "FI": 18, "CZ": 24, "SK": 24, "HU": 28,
    "BG": 22, "HR": 21, "SI": 19, "EE": 20, "LV": 21, "LT": 20, "CY": 28, "MT": 31, "IS": 26, "AD": 24, "MA": 28, "TN": 24, "DZ": 26,
    "SN": 28, "CI": 28, "ML": 28, "BJ": 28, "BF": 28, "NE": 28, "TG": 28, "CM": 27, "CG": 27, "GA": 27, "TD": 27, "CF": 27, "MG": 27,
    "MR": 27, "KM": 27, "LB": 28, "EG": 29, "BR": 29, "UA": 29,
}


def _iban_shaped(value: str) -> bool:
    """An IBAN whose check digits are wrong but whose length is its country's (« FR76 3000 4012 3400 0105 7792 185 »): a typo
    in a person's account number is still their account number. Letters in the body only where the country's format has
    them (not a formation's code): digits only for the first four after the key."""
    number = compact(value).upper()
    return _IBAN_LENGTHS.get(number[:2]) == len(number) and number[2:8].isdigit()


def find_ibans(text: str) -> list[tuple[str, int, int]]:
    """An IBAN in any grouping; its mod-97 key decides, even after « IBAN » (tests/assistant/test_pii.py), or its
    country's length when the key is wrong."""
    return [("IBAN", m.start(), m.end()) for m in _IBAN_SHAPE.finditer(text) if iban_is_valid(m.group(0)) or _iban_shaped(m.group(0))]


# -- INE -------------------------------------------------------------------------------------
# 10 digits and a letter, or 9 digits and two letters; the letters close the number, unspaced,
# or after a space in capitals (« 0 6 2 3 4 5 6 7 8 9 K », not « 0612345678 a changé »).
_INE = re.compile(
    rf"(?<![\w+])\d(?:{_SEP}\d){{9}}(?:[A-Z]|[ \t](?-i:[A-Z]))(?![\w])"
    rf"|(?<![\w+])\d(?:{_SEP}\d){{8}}(?:[A-Z]{{2}}|[ \t](?-i:[A-Z]{{2}}))(?![\w])",
    _FLAGS,
)


# After « INE » / « identifiant national élève »: eleven letters and digits, at least six digits,
# in any case and grouping (INE-BEA and INE-Base 100 numbers have letters inside).
_INE_CUE = re.compile(r"(?<!\w)(?:ine|identifiant\s+national(?:\s+(?:[ée]l[èe]ve|[ée]tudiant))?)(?!\w)", _FLAGS)
_INE_AFTER_CUE = re.compile(
    rf"[^\w\n]{{0,4}}(?:(?:est|c['’]est|c|:|le|=)[^\w\n]{{0,4}}){{0,3}}(?P<value>[A-Z0-9](?:(?:{_SEP}|[ \t]*\n[ \t]*)[A-Z0-9]){{10}})(?![\w]|{_SEP}\d)", _FLAGS
)


def find_ines(text: str) -> list[tuple[str, int, int]]:
    found = [("INE", m.start(), m.end()) for m in _INE.finditer(text)]
    for cue in _INE_CUE.finditer(text):
        match = _INE_AFTER_CUE.match(text, cue.end())
        if match and sum(ch.isdigit() for ch in match.group("value")) >= 6:
            found.append(("INE", *match.span("value")))
    return found


# -- dossier / candidate numbers -------------------------------------------------------------
_DOSSIER_CUE = re.compile(
    r"(?<!\w)(?:identifiant|id|n°|no\.|num[ée]ro|num|dossiers?|candidat(?:ure)?s?|inscription|matricule|parcoursup|mon\s?master|r[ée]f(?:[ée]rence)?\.?)(?![^\W\d])",
    _FLAGS,
)
# Numbers that are not a person's, named between the cue and the number (« numéro de la formation »).
_NOT_PERSONAL_NUMBER = re.compile(r"(?<!\w)(?:formations?|[ée]tablissements?|codes?(?!\s+(?:candidat|dossier|[ée]l[èe]ve|inscription))|rang|classement|places?|uai|rne|session)(?!\w)", _FLAGS)
_GROUPED_NUMBER = rf"\d(?:{_SEP}\d){{4,11}}"  # 5 to 12 digits: Mon Master numbers have 10
# A number may carry a prefix of capitals and a year: « MM558812 », « 2024-MM-558812 », « PS-4471203 ».
# A year may open it (« 2025/113408 »), a session or a letter close it (« 0928813/25 », « 1234567A »), and a line break,
# where a mail or a form wrapped it, cut it (« 501938⏎27 »).
_NUMBER_PREFIX = r"(?:(?:(?:19|20)\d{2}[ \-/]?)?(?<![^\W\d_])(?:(?-i:MM|mm)[ \-/]?|(?-i:[A-Z]{1,3})[\-/]?)|(?:19|20)\d{2}/)?"
_WRAP = r"(?:[ \t.\-]{0,3}|[ \t]*\n[ \t]*)"
_CUED_NUMBER = rf"\d(?:{_WRAP}\d){{4,12}}(?:/\d{{2,4}}|(?-i:[A-Z])(?![\w]))?"
_DOSSIER_AFTER_CUE = re.compile(  # (a form or a mail's wrap puts the number on the next line: « Numéro de dossier :⏎6630⏎418 »)
    rf"[^\d\n.?!]{{0,45}}?(?:[ \t]*\n[ \t]*)?(?<![\d/+])(?P<value>{_NUMBER_PREFIX}{_CUED_NUMBER})(?![\d/]|{_SEP}\d)"
    rf"(?P<more>(?:\s*\(?\s*(?:,|et|ou|/)\s*{_GROUPED_NUMBER}(?![\d/]|{_SEP}\d))*)",
    _FLAGS,
)
_MORE_NUMBERS = re.compile(_GROUPED_NUMBER)
# A reference in pieces joined by « / », « . » or « - », capitals allowed (« PSUP/2026/5531807 », « 2026.PS.3819405 »,
# « 3/402/119 »), right after its cue: six digits at least, and no date.
_REFERENCE_AFTER_CUE = re.compile(
    r"[^\d\n?!]{0,30}?(?<![\w/.\-])(?P<value>(?-i:[A-Z0-9]{1,8})(?:[./\-](?-i:[A-Z0-9]{1,8})){1,4})(?![\w/]|[.\-]\w)", _FLAGS
)
_DATE_SHAPE = re.compile(r"\d{1,4}[./\-]\d{1,2}(?:[./\-]\d{1,4})?|(?:19|20)\d{2}[./\-](?:19|20)?\d{2}")
# A calendar date written with one separator (« 03-02-2008 », « 12.05.02 », « 2025-03-12 »): after « candidat : » or
# « date d'envoi du dossier : » it is a date, not a number (« DSE-2025-0478213 », « 44-07-21-93 » are not dates).
_CALENDAR_DATE = re.compile(
    r"(?P<d>\d{1,2})(?P<s>[./\-])(?P<m>\d{1,2})(?P=s)(?:19|20)?\d{2}|(?:19|20)\d{2}(?P<is>[./\-])(?P<im>\d{1,2})(?P=is)(?P<id>\d{1,2})"
)


def _calendar_date(value: str) -> bool:
    match = _CALENDAR_DATE.fullmatch(value.strip())
    if not match:
        return False
    day, month = (match.group("d"), match.group("m")) if match.group("d") else (match.group("id"), match.group("im"))
    return 1 <= int(day) <= 31 and 1 <= int(month) <= 12


# Mon Master's candidate number as its site writes it, with no cue needed: « MM558812 », « 2024-MM-558812 ».
_MON_MASTER_NUMBER = re.compile(r"(?<![\w\-])(?:(?:19|20)\d{2}[ \-/]?)?MM[ \-/]?\d(?:[ \-.]?\d){4,9}(?![\w]|[ \-.]\d)")


_PERSONAL_NUMBER_CUE = re.compile(
    r"(?<!\w)(?:identifiant|id|n°|no\.|num[ée]ro|num|dossier|candidat(?:ure)?|inscription|matricule|r[ée]f(?:[ée]rence)?)(?![^\W\d])", _FLAGS
)


def _not_personal(text: str, start: int) -> bool:
    """A number the words before it name as no one's (« numéro de la formation », « code UAI »), unless a
    cue for someone's number comes after those words (« rang 154, places : 40, n° 6620918 », « il a perdu son
    code parcoursup, son numéro c'est 4820177 »)."""
    before = text[max(0, start - 60) : start]
    before = before[_last_sentence_start(before) :]
    last = None
    for last in _NOT_PERSONAL_NUMBER.finditer(before):
        pass
    return last is not None and not _PERSONAL_NUMBER_CUE.search(before, last.end())


# A number of seven to ten digits written in one piece, without a cue (« 40918273 toujours en attente »,
# « moi j'ai 1456880 »): in a message to a guidance service it is a candidate's or a file's number; not a
# phone, an amount, a count or a number the words before name as no one's.
_BARE_NUMBER = re.compile(
    r"(?<![\w/.,\-+€$£])\d{7,10}(?![\w/]|[.,]\d|[ \t]*(?:€|\$|£|%|euros?\b|eur\b|km\b|habitants|caract[èe]res|points|pts\b|heures|mots\b|fois\b|ans\b))",
    _FLAGS,
)


_AMOUNT_AFTER = re.compile(r"[ \t]*(?:€|k€|euros?(?!\w)|eur(?!\w))", re.IGNORECASE)


def find_dossiers(text: str) -> list[tuple[str, int, int]]:
    found = [("DOSSIER", m.start(), m.end()) for m in _MON_MASTER_NUMBER.finditer(text)]
    for match in _BARE_NUMBER.finditer(text):
        if phone_canonical(match.group(0)) is None and not _not_personal(text, match.start()):
            found.append(("DOSSIER", match.start(), match.end()))
    for cue in _DOSSIER_CUE.finditer(text):
        match = _DOSSIER_AFTER_CUE.match(text, cue.end())
        reference = _REFERENCE_AFTER_CUE.match(text, cue.end())
        if reference and (not match or reference.end("value") > match.end("value")):
            value = reference.group("value")
            if (sum(ch.isdigit() for ch in value) >= 6 and not _DATE_SHAPE.fullmatch(value)
                    and phone_canonical(re.sub(r"\D", "", value)) is None
                    and not _not_personal(text, reference.start("value"))):
                found.append(("DOSSIER", reference.start("value"), reference.end("value")))
                continue
        if not match:
            continue
        if _not_personal(text, match.start("value")):
            continue
        spans = [match.span("value")] + [
            (match.start("more") + m.start(), match.start("more") + m.end()) for m in _MORE_NUMBERS.finditer(match.group("more"))
        ]
        for start, end in spans:
            digits = re.sub(r"\D", "", text[start:end])
            if _AMOUNT_AFTER.match(text, end):  # « revenu fiscal de référence de 28 000 € »: an amount
                continue
            if _calendar_date(text[start:end]):  # « Candidat : … / DN 2008-02-03 »: a date, read as one if it is a birth
                continue
            if len(digits) < 6 and re.match(r"\s+[A-ZÀ-Ö]", text[end:]):  # « 75010 Paris »: a postal code
                continue
            if phone_canonical(digits) is not None:  # « mon numéro 06 12… »: a phone, found as one
                continue
            found.append(("DOSSIER", start, end))
    return found


# -- phone numbers ---------------------------------------------------------------------------
# « 06 - 45 - 12… », « (02) 98… »; digits right after it make it part of a longer number, unless they
# are a second phone (« 05 56… / 06 41… »: a person's two lines)
_FRENCH_NUMBER = r"(?:\(0[1-9]\)|0[ \t.\-]{0,3}[1-9])(?:[ \t.\-/]{0,3}\d){8}"
_FRENCH_PHONE = re.compile(rf"(?<![\w+]){_FRENCH_NUMBER}(?!(?![ \t.\-/]{{1,3}}{_FRENCH_NUMBER}(?![ \t.\-/]{{0,3}}\d|\w))[ \t.\-/]{{0,3}}\d|\w)")
# Pairs joined by commas or underscores (« 06,41,22,38,90 », « 06_41_… »): only as five pairs, so that
# a list of marks (« 12,5, 14,3, 09,5 ») stays a list.
_PAIRED_PHONE = re.compile(r"(?<![\w+,.])0[1-9](?:[ \t]{0,2}[,_][ \t]{0,2}\d\d){4}(?![ \t]{0,2}[,_.]?[ \t]{0,2}\d|\w)")
_INTERNATIONAL_PHONE = re.compile(
    r"(?<![\w+])\(?(?:\+|00)[1-9]\d{0,2}\)?(?:[ \t.\-]{0,2}\(0\))?(?:[ \t.\-]{0,2}\d{1,4}){2,6}(?![ \t.\-]{0,2}\d|\w)"
)
_NUMBER_WORD = (
    r"z[ée]ro|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize"
    r"|vingts?|trente|quarante|cinquante|soixante|cents?|et"
)
# A phone number spelled out in words starts, like every French number, with « zéro ».
_SPELLED_PHONE = re.compile(rf"(?<!\w)z[ée]ro(?:[\s\-]+(?:{_NUMBER_WORD})(?!\w)){{4,}}", _FLAGS)
# A landline given as a service's: « standard : 01… », « accueil au 03… », « le secrétariat ».
_SERVICE_CUE = re.compile(
    r"(?<!\w)(?:standard|accueil|secr[ée]tariat|service|num[ée]ro\s+(?:vert|unique|national|pour)|permanence|hotline|plateforme"
    r"|lyc[ée]e|coll[èe]ge|cio|rectorat|mairie|mission\s+locale|[ée]tablissement|universit[ée]|crous)\b",
    _FLAGS,
)


def _personal_line(number: str, text: str, start: int) -> bool:
    canonical = phone_canonical(number)
    if canonical is None or canonical.startswith("08"):  # 08: service lines, never a person's
        return False
    if canonical[:2] in ("06", "07"):
        return True
    before = text[max(0, start - 60) : start]
    return not _SERVICE_CUE.search(before[_last_sentence_start(before) :])


# A phone number with a digit missing or one too many (« 6 12 34 56 78 », « 07 81 23 45 6 »), right after a phone's cue:
# a typo in a number is still the number (as with IBANs); a service's line stays visible.
_PHONE_TYPO = re.compile(r"(?<![\w+.,/\-])(?:0[1-9]|[67])(?:[ \t.\-]{1,3}\d{1,3}){3,5}(?![ \t.\-]{0,3}\d|\w|[/.,]\d)")
_PHONE_CUE = re.compile(
    r"(?<!\w)(?:t[ée]l[ée]phone|t[ée]l|portable|mobile|joignable|joindre|appel\w*|rappel\w*|whatsapp|sms"
    r"|num[ée]ro\s+de\s+(?:t[ée]l\w*|portable|mobile))(?!\w)[^.!?\n\d]{0,30}$",
    _FLAGS,
)


def _mistyped_phones(text: str) -> list[tuple[str, int, int]]:
    found = []
    for match in _PHONE_TYPO.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if not (len(digits) == 9 or (len(digits) == 11 and digits[0] == "0")) or (len(digits) == 9 and digits[0] == "0" and digits[1] not in "67"):
            continue  # (a landline with a digit missing is too like a dossier number)
        before = text[max(0, match.start() - 60) : match.start()]
        if _PHONE_CUE.search(before) and not _SERVICE_CUE.search(before[_last_sentence_start(before) :]):
            found.append(("TELEPHONE", match.start(), match.end()))
    return found


def find_phones(text: str) -> list[tuple[str, int, int]]:
    found = []
    for match in (*_FRENCH_PHONE.finditer(text), *_PAIRED_PHONE.finditer(text)):
        if _personal_line(match.group(0), text, match.start()):
            found.append(("TELEPHONE", match.start(), match.end()))
    for match in _INTERNATIONAL_PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        canonical = phone_canonical(match.group(0))
        if canonical is not None and not _personal_line(canonical, text, match.start()):
            continue
        if 8 <= len(digits) <= 15:
            found.append(("TELEPHONE", match.start(), match.end()))
    found += [("TELEPHONE", m.start(), m.end()) for m in _SPELLED_PHONE.finditer(text)]
    found += _mixed_phones(text)
    found += [phone for phone in _mistyped_phones(text) if not any(phone[1] < end and start < phone[2] for _, start, end in found)]
    return found


# A number dictated in words and digits mixed: « zéro six 12 34 56 78 », « 06 douze 34 56 78 »,
# « 06 trente-neuf 98 douze 77 ». Each group is read as it is said (« quarante cinq » is 45).
_UNITS = {"zero": 0, "zéro": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9}
_TEENS = {"dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16}
_TENS = {"vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60}
_MIXED_TOKEN = re.compile(rf"\d{{1,4}}|(?:{_NUMBER_WORD})(?:-(?:{_NUMBER_WORD}))*(?!\w)", _FLAGS)
_MIXED_RUN = re.compile(
    rf"(?<![\w+])(?:\d{{1,4}}|(?:{_NUMBER_WORD})(?![\w]))(?:[ \t.,\-/]{{1,3}}(?:\d{{1,4}}|(?:{_NUMBER_WORD})(?![\w]))){{3,14}}", _FLAGS
)


def _said_numbers(words: list[str]) -> list[str] | None:
    """The numbers a run of number words says, each as its digits (« zéro six » → 0, 6;
    « quatre-vingt-dix-sept » → 97); None when the words are no number."""
    numbers: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        following = words[i + 1] if i + 1 < len(words) else ""
        if word == "quatre" and following in ("vingt", "vingts"):
            base, i = 80, i + 2
        elif word in _TENS:
            base, i = _TENS[word], i + 1
        elif word in _TEENS:
            value, i = _TEENS[word], i + 1
            if value == 10 and i < len(words) and words[i] in ("sept", "huit", "neuf"):
                value, i = 10 + _UNITS[words[i]], i + 1
            numbers.append(str(value))
            continue
        elif word in _UNITS:
            numbers.append(str(_UNITS[word]))
            i += 1
            continue
        else:
            return None
        if i < len(words) and words[i] == "et":
            i += 1
        if i < len(words) and (words[i] in _TEENS or (words[i] in _UNITS and words[i] not in ("zero", "zéro"))):
            if words[i] in _TEENS:
                extra, i = _TEENS[words[i]], i + 1
                if extra == 10 and i < len(words) and words[i] in ("sept", "huit", "neuf"):
                    extra, i = 10 + _UNITS[words[i]], i + 1
            else:
                extra, i = _UNITS[words[i]], i + 1
            if base in (60, 80) or extra < 10:
                base += extra
            else:
                return None
        if base >= 100:
            return None
        numbers.append(str(base))
    return numbers


def _mixed_phones(text: str) -> list[tuple[str, int, int]]:
    found = []
    for run in _MIXED_RUN.finditer(text):
        tokens = list(_MIXED_TOKEN.finditer(run.group(0)))
        if not any(t.group(0)[0].isdigit() for t in tokens) or all(t.group(0)[0].isdigit() for t in tokens):
            continue  # all digits or all words: the other finders read them
        # groups: (start, end, digits), word tokens in a row read together
        groups: list[tuple[int, int, str]] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token.group(0)[0].isdigit():
                groups.append((token.start(), token.end(), token.group(0)))
                index += 1
                continue
            last = index
            while last + 1 < len(tokens) and not tokens[last + 1].group(0)[0].isdigit():
                last += 1
            words = [w for t in tokens[index : last + 1] for w in t.group(0).lower().split("-")]
            said = _said_numbers(words)
            if said is None:
                groups.append((token.start(), tokens[last].end(), "x"))
            else:
                groups.append((token.start(), tokens[last].end(), "".join(said)))
            index = last + 1
        for first in range(len(groups)):
            digits = ""
            for last in range(first, len(groups)):
                digits += groups[last][2]
                if not digits.isdigit() or len(digits) > 10 or not digits.startswith("0"):
                    break
                if len(digits) == 10:
                    start, end = run.start() + groups[first][0], run.start() + groups[last][1]
                    if _personal_line(digits, text, start):
                        found.append(("TELEPHONE", start, end))
                    break
    return found


# -- dates of birth --------------------------------------------------------------------------
_MONTHS = (
    r"janvier|janv\.?|f[ée]vrier|f[ée]vr?\.?|mars|avril|avr\.?|mai|juin|juillet|juil\.?|ao[uû]t|septembre|sept\.?"
    r"|octobre|oct\.?|novembre|nov\.?|d[ée]cembre|d[ée]c\.?"
)
# A day said in words: « né le vingt mai 2005 », « le premier mars ».
_DAY_WORD = (
    r"premier|(?:vingt|trente)(?:[\s\-]et[\s\-]un|[\s\-](?:deux|trois|quatre|cinq|six|sept|huit|neuf))?|dix[\s\-](?:sept|huit|neuf)"
    r"|un|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize"
)
# A year said in words: « deux mille neuf », « deux mille dix-sept ».
_YEAR_UNITS = {"un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11,
               "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20}
_YEAR_WORD = (
    r"deux[\s\-]+mille(?:[\s\-]+(?:dix[\s\-](?:sept|huit|neuf)|un|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze"
    r"|treize|quatorze|quinze|seize|vingt))?"
)
_DATE = re.compile(
    rf"(?<![\w/.\-])(?:(?P<d>\d{{1,2}})[/.\-](?P<m>\d{{1,2}})[/.\-](?P<y>(?:19|20)?\d{{2}})"
    rf"|\d{{1,2}}[ \t]+(?P<sep>[/.\-])[ \t]*\d{{1,2}}[ \t]*(?P=sep)[ \t]*(?P<spy>(?:19|20)\d{{2}})"  # « 03 / 06 / 2008 », « 14 . 09 . 2007 », as a form's boxes give it
    rf"|(?:1er|\d{{1,2}})(?P<hsep>[\-/.])(?:{_MONTHS})(?<!\.)(?P=hsep)(?P<hy>(?:19|20)?\d{{2}})"  # « 09-mai-06 »
    rf"|(?P<iy>(?:19|20)\d{{2}})[/.\-]\d{{1,2}}[/.\-]\d{{1,2}}"
    rf"|\d{{1,2}}[ \t]+(?:du[ \t]+)?\d{{1,2}}[ \t]+(?P<sy>(?:19|20)\d{{2}})"
    rf"|(?:0?[1-9]|[12]\d|3[01])[ \t]+(?:0?[1-9]|1[0-2])[ \t]+(?P<s2y>\d{{2}})(?![ \t]*\d)"  # « né le 12 12 07 »: right after its cue only
    rf"|(?:1er|\d{{1,2}}|{_DAY_WORD})\s+(?:{_MONTHS})(?:\s+(?P<ty>(?:19|20)?\d{{2}})|\s+(?P<twy>{_YEAR_WORD})|(?P<no_year>)(?!\s*\d))"
    rf"|(?:{_MONTHS})\s+(?P<my>(?:19|20)\d{{2}})"
    rf"|(?P<dm>(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|1[0-2]))(?![/\d]|\s*/)"  # « anniv le 12/04 »: a birthday without its year
    rf"|(?P<year>(?:19|20)\d{{2}})|(?P<wy>{_YEAR_WORD}))(?![\w/]|[.\-]\d)",
    _FLAGS,
)
# A whole date (day, month and year) right after a cue: « 14/3/2007 », « le 6 juin 2008 ».
_WHOLE_DATE_AHEAD = (
    r"\s+(?:le\s+)?(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)?\d{2}(?![\d/])|(?:1er|\d{1,2})\s+(?:" + _MONTHS + r")\s+(?:19|20)\d{2}(?!\d))"
)
# Cues that say « of » or « it is » rather than « born »: their date is a birth only when the year is a pupil's.
_WEAK_CUE = re.compile(r"(?:est|sont)\s+de$|\s+du$|^(?:moi|lui|elle)\b", re.IGNORECASE)
# « elle c'est le 3 mars 2015 qu'elle a eu son CAP »: an event; « je suis du 01/09/2008 au 30/06/2009 en stage »: a period
_CLEFT_AFTER = re.compile(r"\s+(?:qu(?:e|['’])|au\s+(?:\d|1er)|jusqu)", re.IGNORECASE)
_BIRTH_CUE = re.compile(
    r"(?<!\w)(?:ddn|d\.d\.n\.?|(?:dn|d\.n\.)(?=\s*(?::|=|est\b|c['’]?\s*est\b|\d{1,2}[/.\-]\d{1,2}[/.\-]\d|(?:19|20)\d{2}-\d{1,2}-\d{1,2}\b))|(?<=\bma\s)dn|date\s+(?:de\s+)?naiss(?:ance|\.)?|date\s+of\s+birth|dob|birthday|naissance|anniv(?:ersaire)?"
    # « j'ai eu 18 ans le 2 janvier », « il aura 16 ans le 4 mars »: the day one was born
    r"|(?:mes|ses|tes)\s+1\d\s+ans\s+(?:c['’]?\s*est|ce\s+sera|seront|sont|tombent)(?=\s+le\s)"  # « mes 18 ans c'est le 3 mai »
    r"|n[ée]e?s?(?=\s+(?:19|20)\d{2}\s*[),;.]|\s+(?:19|20)\d{2}$)"  # « ma fille (née 2009) »
    r"|(?:eu|aura[is]?|aurai|avoir|f[êe]te(?:ra)?\s+(?:ses|mes|son|mon))\s+\d{1,2}\s+ans(?=\s+le\s)|(?:va|vais|vas|jvais)\s+avoir\s+18(?=\s+le\s)"  # « jvais avoir 18 le 26 juin »: coming of age (not a grade: « avoir 16 le 12 juin au bac »)
    # « je suis majeure depuis le 20 janvier », « il sera majeur le 3 mars »: the eighteenth birthday
    r"|(?:suis|est|sera[is]?|serai|devien[st]|deviendra[is]?|deviendrai)\s+majeure?s?(?:\s+depuis)?(?=\s+le\s)"
    r"|n[ée]e?s?(?:\s*\(e\))?(?=\s+(?:fin|d[ée]but|mi-?|courant)\s*(?:19|20)\d{2}\s*,\s*le\s)"  # « née fin 2008, le 28 décembre »
    r"|n[ée]e?s?(?:\s*\(e\))?(?=\s+(?:\d{1,2}(?:[/.\-]|\s+)\d{1,2}(?:[/.\-]|\s+)\d|(?:19|20)\d{2}-\d{1,2}-\d{1,2}))"  # « née 12/12/2006 », « né 2003-11-08 »
    r"|n[ée]e?s?(?:\s*\(e\))?(?:\s+[àa]\s+[A-ZÀ-Ö][\w'’\- ]{0,30}?|\s+(?:au|aux|en)\s+(?-i:[A-ZÀ-Ö])[^\W\d_]+(?:[\s'’\-]+(?-i:[A-ZÀ-Ö])[^\W\d_]+){0,3})?"
    r"(?:\s*\([^)\n]{1,30}\))?(?:\s*,(?:[^,\n]{0,80},){1,2})?"
    r"(?:\s+(?!le\b|en\b|un\b)(?:[a-zà-ÿ]{4,}|euh|heu|bah|ben|hum)){0,2}\s*,?\s+(?:le|un|en|au\s+mois\s+d[e'’]|:)"  # « née à Fort-de-France (Martinique) le… », « né au Maroc, à Casablanca, le… », « né avant terme le… »
    r"|n[ée]\(e\)\s+le"
    r"|(?:je\s+suis|j['’]?\s*suis|jsuis|jsui|chuis?|(?:il|elle)\s+est|(?:ils|elles)\s+sont)\s+de(?=\s+(?:(?:" + _MONTHS + r")\s+)?(?:19|20)\d{2}(?![\w/]))"  # « jsuis de 2008 », « il est de novembre 2009 »
    # « jsuis du 14/3/2007 », « moi c'est le 6 juin 2008 », « lui c 02/12/2007 »: someone and a whole date, the day they were born
    r"|(?:je\s+suis|j['’]?\s*suis|jsuis|jsui|chuis?|(?:il|elle)\s+est)\s+du(?=" + _WHOLE_DATE_AHEAD + r")"
    r"|(?<![\w'’])(?:moi|lui|elle)[ \t]*,?[ \t]+(?:c['’][ \t]*est|cest|c)(?=" + _WHOLE_DATE_AHEAD + r"))(?!\w)",
    _FLAGS,
)
# Between the cue and a day without its year: the year of birth said first, with its part (« née fin 2008, le 28 décembre »;
# not « il est né en 2009, le 3 mars c'est la date limite »).
_YEAR_THEN_DAY = re.compile(r"(?:fin|d[ée]but|mi-?|courant)\s*(?:19|20)\d{2}\s*,\s*le", _FLAGS)  # (a year alone: not « né le 06/06/2008, le 06 juin j'ai l'oral »)
_YEAR_AFTER_DAY = re.compile(r"\s*,?\s*en\s+(?P<year>(?:19|20)\d{2})(?![\w/]|[.\-]\d)", _FLAGS)
_PERIOD_OF_YEAR = re.compile(r"(?:fin|d[ée]but|mi-?|courant)", _FLAGS)
# After a noun cue and an aside between commas, the date the sentence comes back to (« ma date de naissance, celle que
# j'ai mise sur le formulaire et qui ne passe pas, c'est le 09/04/2007 »): read beyond the usual reach.
_ASIDE_THEN_DATE = re.compile(r",\s*(?:c['’]?\s*est|cest|c|est)\s+(?:bien\s+|en\s+(?:fait|r[ée]alit[ée])\s+|vraiment\s+)?(?:le\s+)?$", _FLAGS)  # (« …, est en fait le 21/10/2007 »)
_REACH = 90  # characters after a cue where its date is looked for
_ASIDE_REACH = 160


# The words that make a date a deadline or an event, not a birth.
_NOT_BIRTH_BEFORE = re.compile(
    r"(?:avant|apr[èe]s|jusqu['’]?(?:au|à)|d['’]ici|au\s+plus\s+tard|limite|depuis|d[èe]s|[àa]\s+partir\s+d[ue]|entre|pour\s+le)(?:\s+le)?\s*$",
    _FLAGS,
)  # (the text before is stripped: « depuis le » ends without a space)


_GENERAL_PLURAL_BEFORE = re.compile(
    r"(?<![\w'’])(?:les|des|aux|tous\s+les|toutes\s+les|ceux|celles)\s+(?:[\w'’]+\s+)?(?:qui\s+sont\s+)?$", _FLAGS
)


# The cue in a question and a whole date opening the next sentence, as its answer.
_ANSWERED_QUESTION = re.compile(r"[^!?\n.]*\?[ \t]*")


def _birth_year(match: re.Match[str]) -> int | None:
    for group in ("twy", "wy"):
        if match.group(group):
            words = re.split(r"[\s\-]+", match.group(group).lower())[2:]
            return 2000 + (10 + _YEAR_UNITS[words[1]] if words[:1] == ["dix"] and len(words) == 2 else _YEAR_UNITS[words[0]] if words else 0)
    for group in ("y", "iy", "sy", "s2y", "spy", "hy", "ty", "my", "year"):
        if match.group(group):
            year = int(match.group(group))
            return year if year >= 100 else (2000 + year if year <= date.today().year % 100 else 1900 + year)
    return None


# A date of birth given first and named after (« 12/05/2009 (date de naissance) », « 12/05/2009 c sa ddn »).
_NAMED_AFTER = re.compile(
    r"[ \t]*(?:[(,=:\-–][ \t]*)?(?:(?P<verb>c['’]?[ \t]*est|c|est)[ \t]+)?(?:(?:ma|ta|sa|la|mon|son|leur)[ \t]+)?$", re.IGNORECASE
)
_CUE_CLOSED = re.compile(r"[ \t]*(?:[).;!?\n]|$)")  # « (date de naissance) »; not « …, date de naissance à vérifier »
_NOUN_CUE = re.compile(r"ddn|d\.d\.n|dn|d\.n|date|dob|birthday|naissance|anniv", re.IGNORECASE)


def _date_named_after(text: str, cue: re.Match[str]) -> tuple[str, int, int] | None:
    if not _NOUN_CUE.match(cue.group(0)):
        return None
    for match in _WHOLE_DATE.finditer(text, max(0, cue.start() - 40), cue.start()):
        named = _NAMED_AFTER.fullmatch(text, match.end(), cue.start())
        if named and (named.group("verb") or _CUE_CLOSED.match(text, cue.end())) and 1920 <= _day(match)[0] <= date.today().year - 8:
            return ("DATE_NAISSANCE", match.start(), match.end())
    return None


def find_birth_dates(text: str) -> list[tuple[str, int, int]]:
    found = []
    for cue in _BIRTH_CUE.finditer(text):
        named = _date_named_after(text, cue)
        if named:
            found.append(named)
        window = text[cue.end() : cue.end() + _ASIDE_REACH]
        dated = False
        for match in _DATE.finditer(window):
            before = window[: match.start()]
            if match.end() > _REACH and not (_NOUN_CUE.match(cue.group(0)) and _ASIDE_THEN_DATE.search(before)):
                break
            year = _birth_year(match)
            if _END_OF_SENTENCE.search(re.sub(r"\.{2,}|…", " ", re.sub(_DATE, "0", before))) and before.strip(" \t\n:.…"):  # (a form's dot leaders)  # (« Date de naissance\n14/05/2008 »)
                if not (_ANSWERED_QUESTION.fullmatch(before) and match.group("d") and len(match.group("y")) == 4 and year <= date.today().year - 14 and not dated):
                    break  # (« le site demande ma date de naissance ? 25/09/1985 c bon ? »: the question's answer, an adult's date)
            year_then_day = dated and match.group("no_year") is not None and _YEAR_THEN_DAY.fullmatch(before.strip(" :"))
            if match.group("no_year") is not None or match.group("dm"):  # « née le 2 février »: a day and a month, right after the cue
                if not re.fullmatch(r"(?:(?:c['’]?\s*est|est|c)\s+)?(?:le)?", before.strip(" :").lower()) and not year_then_day:  # « mon anniversaire c'est le 5 mai », « mon anniv c le 14/02 »
                    continue
            elif year is None or not (1920 <= year < date.today().year):
                continue
            if match.group("s2y") and before.strip(" :").lower() not in ("", "le"):
                continue  # three numbers in a row are a date only right after « né le »
            if (match.group("year") or match.group("wy")) and before.strip(" :") not in ("", "en", "le") and not before.strip().endswith(("en", ":")) and not (
                _PERIOD_OF_YEAR.fullmatch(before.strip()) and not dated
            ):  # (« née fin 2008 »)
                continue  # a year alone is a birth year only right after its cue (« née en 2008 »)
            if (match.group("year") or match.group("my")) and year is not None and year > date.today().year - 8:
                continue  # « la réforme est née en 2019 », « Parcoursup est né en 2018 »: a pupil is eight at least
            if _WEAK_CUE.search(cue.group(0)) and (
                year is None or year > date.today().year - 10 or _CLEFT_AFTER.match(window, match.end()) or before.strip(" :").lower() not in ("", "le")
            ):
                continue  # « le diplôme il est de 2023 »: a thing's year, not a pupil's birth
            if _GENERAL_PLURAL_BEFORE.search(text[max(0, cue.start() - 40) : cue.start()]) and re.match(r"n[ée]e?s", cue.group(0), re.IGNORECASE):
                continue  # « les élèves nés en 2008 »: people in general
            if year is not None and year > date.today().year - 8 and (dated or before.strip(" :").lower() not in ("", "le", "en")):
                continue  # « née le 6 juin 2007, je conteste la décision rendue le 4 juillet 2025 »: a pupil is eight at least
            if _NOT_BIRTH_BEFORE.search(text[max(0, cue.end() + match.start() - 30) : cue.end() + match.start()].rstrip()) and not re.search(r"majeur", cue.group(0), re.IGNORECASE):
                continue
            start = cue.end() + match.start()
            apposed = re.search(r"(?<=,)\s*le\s+$", before, re.IGNORECASE)
            if apposed:  # « ma date de naissance, le 8 août 2006 »: the article goes with the date
                start -= len(apposed.group(0).lstrip())
            if dated and not year_then_day and not match.group("d") and not match.group("spy") and not match.group("hy") and not match.group("ty") and not match.group("twy") and not match.group("sy") and not match.group("s2y") and not match.group("iy"):
                continue  # after the cue's date, a year or a month alone is an event (« né le 5 mai 2009, brevet en juin 2025 »)
            end = match.end()
            year_after = _YEAR_AFTER_DAY.match(window, end) if match.group("no_year") is not None else None
            if year_after and 1920 <= int(year_after.group("year")) <= date.today().year - 8:
                end = year_after.end()  # « née un 29 février, en 2008 »: the year said after the day
            found.append(("DATE_NAISSANCE", start, cue.end() + end))
            dated = True
    return found + _same_day_again(text, found)


# A whole date, numeric or with its month in words, for finding a date of birth written again.
_WHOLE_DATE = re.compile(
    rf"(?<![\w/.\-])(?:(?P<d>\d{{1,2}})(?P<s>[/.\-])(?P<m>\d{{1,2}})(?P=s)(?P<y>(?:19|20)\d{{2}})"
    rf"|(?P<wd>1er|\d{{1,2}})\s+(?P<wm>{_MONTHS})\s+(?P<wy>(?:19|20)\d{{2}})"
    rf"|(?P<iy>(?:19|20)\d{{2}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}}))(?![\w/]|[.\-]\d)",
    _FLAGS,
)
_MONTH_NUMBERS = {"jan": 1, "fev": 2, "fév": 2, "mar": 3, "avr": 4, "mai": 5, "juin": 6, "juil": 7, "aou": 8, "aoû": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12, "déc": 12}


def _day(match: re.Match[str]) -> tuple[int, int, int]:
    if match.group("d"):
        return int(match.group("y")), int(match.group("m")), int(match.group("d"))
    if match.group("iy"):
        return int(match.group("iy")), int(match.group("im")), int(match.group("id"))
    month = match.group("wm").lower()
    number = _MONTH_NUMBERS.get(month[:4]) or _MONTH_NUMBERS.get(month[:3], 0)
    return int(match.group("wy")), number, 1 if match.group("wd").lower() == "1er" else int(match.group("wd"))


def _same_day_again(text: str, found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """The date of birth written again, in the same or another format (« née le 13 septembre 2001 … mon passeport
    indique 13/09/2001 »): the same day is the same person's birth, wherever the message repeats it."""
    births = {_day(m) for _, start, end in found for m in [_WHOLE_DATE.fullmatch(text, start, end) or _WHOLE_DATE.search(text, start, end)] if m}
    if not births:
        return []
    return [
        ("DATE_NAISSANCE", m.start(), m.end()) for m in _WHOLE_DATE.finditer(text)
        if _day(m) in births and not any(start < m.end() and m.start() < end for _, start, end in found)
    ]


# -- shared ------------------------------------------------------------------------------------
def _last_sentence_start(text: str) -> int:
    ends = list(_END_OF_SENTENCE.finditer(text))
    return ends[-1].end() if ends else 0


def _cue_before(cue: re.Pattern[str], text: str, start: int, reach: int) -> bool:
    before = text[max(0, start - reach) : start]
    return bool(cue.search(before[_last_sentence_start(before) :]))


FINDERS = (find_nirs, find_ibans, find_ines, find_dossiers, find_phones, find_birth_dates)


class CueRecognizer(EntityRecognizer):
    """The finders of this module as one presidio recognizer."""

    ENTITIES = ["NIR", "IBAN", "INE", "DOSSIER", "TELEPHONE", "DATE_NAISSANCE"]

    def __init__(self) -> None:
        super().__init__(supported_entities=self.ENTITIES, supported_language="fr", name="fr-cues")

    def load(self) -> None:  # nothing to load
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        return [RecognizerResult(kind, start, end, 0.9) for finder in FINDERS for kind, start, end in finder(text)]
