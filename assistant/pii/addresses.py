"""Postal addresses as people write them: with or without a street number, a building, a flat,
a residence, a lieu-dit, « chez » someone, a postal code and its commune.

An address is read as a chain of parts separated by commas or line breaks. A numbered street,
a lieu-dit or a postal code followed by its commune (checked against the COG, see
`assistant.pii.places`) is an address on its own; the other parts (« Bât B », « Apt 14 »,
« Résidence les Lilas », « rue de la Paix ») only within a chain or after « j'habite »,
« adresse »: alone they are places everyone knows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from assistant.pii.names import is_first_name, is_french_word
from assistant.pii.places import communes

_STREET = (
    r"rue|r\.|avenue|av\.?|boulevard|bd|chemin|chem\.|rte|imp\.|all\.|pl\.|sq\.|fbg\.?|lot\.|quartier|derb|all[ée]e|impasse|place|route|quai|cours|square|lotissement|chauss[ée]e"
    r"|faubourg|passage|sentier|cit[ée]|villa|esplanade|voie|rond[\s-]point|r[ée]sidence|r[ée]s\.|hameau|lieu[\s-]dit"
)
_CAPITALISED = r"[A-ZÀ-ÖØ-Þ][\w'’\-]*"
_LINK = r"(?i:de\s+la|de\s+l['’]|du|des|de|d['’]|les|le|la|sur|sous|en|aux)"
_NAMED = rf"(?:\s+{_LINK})?\s*{_CAPITALISED}(?:(?:\s+{_LINK})?\s*{_CAPITALISED}){{0,3}}"
# A street number in words, as it is said (« vingt-trois rue de la République »).
_UNITS = r"un|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize"
# (not « un » alone: « un quartier prioritaire » is no address)
_NUMBER_IN_WORDS = rf"(?:(?:vingt|trente|quarante|cinquante|soixante|quatre[\s\-]vingts?)(?:[\s\-](?:et[\s\-])?(?:{_UNITS}|dix))?|(?!un\b)(?:{_UNITS}))"
_STOP = r"(?=[,;!?\n()]|\.(?:\s|$)|\s+(?:et|à|a|pour|mais|svp|merci|depuis|en|au|avec|dans|si|on|nous|je|il|elle|c['’]est)\b|\s+\d{5}\b|\s+[–—]|\s*$)"

# (pattern, stands alone)
_PARTS: tuple[tuple[re.Pattern[str], bool], ...] = (
    # « 14 rue… », « 14 av. de… », « 27 de la rue… », « 10 Grande Rue »
    (re.compile(
        rf"(?<![\w\-])(?:\d{{1,4}}|(?i:{_NUMBER_IN_WORDS}))(?:\s?(?:bis|ter|b|t))?,?\s+(?i:de\s+la\s+|du\s+|de\s+l['’]\s*)?"
        rf"(?:(?i:grande?[\s\-]+rue)|(?i:{_STREET})(?:\b|(?<=\.))[\w'’\-. ]{{1,60}}?){_STOP}"
    ), True),
    (re.compile(r"(?<![\w.,])\d{5}(?![\w.]|,\d|\s+[A-ZÀ-Ö])"), False),  # a postal code alone, within an address
    (re.compile(rf"(?<!\w)(?i:lieu[\s-]dit)\s*:?{_NAMED}"), True),
    # (the street's word a whole word or a short form with its dot: not « AV » in « AVEC », « AVOIR » in capitals)
    (re.compile(rf"(?<!\w)(?:(?:Le|La|Les|L['’])\s*)?(?i:{_STREET}|foyer|domaine|ferme|moulin|mas|ch[âa]teau|maison|b[âa]t(?:iment)?\.?|section|r[ée]s(?=\s))(?:\b|(?<=\.))(?:\s+(?i:universitaire|[ée]tudiante))?(?:\s+\d{{1,4}}(?=\s+[A-ZÀ-Ö]))?{_NAMED}"
                rf"(?:\s+\d{{1,4}}(?:\s?(?:bis|ter))?(?!\w))?"), False),
    # a street named in lower case after a link word (« chemin de la source », « rés. les pins »): within a chain only
    # (not « à la place de la sienne »: a possessive pronoun is no street's name)
    (re.compile(rf"(?<!\w)(?:(?i:{_STREET})(?:\b|(?<=\.))\s+(?:de\s+la|de\s+l['’]|du|des|de|d['’]|les|le|la)|(?i:cit[ée]|r[ée]sidence|res(?=\s)))\s*"
                r"(?!(?:principale|secondaire|altern[ée]e|habituelle|fiscale|administrative)\b)"
                r"(?!(?:à|a|au|aux|en|dans|sur|pour|avec|qui|que|où|ou|et|mais|près|pr[eè]s)\b)"  # « une cité à Sarcelles »: no name follows
                r"(?!(?:(?:la|le|les)\s+)?(?:sienne|mienne|tienne|leur|n[ôo]tre|v[ôo]tre|sien|mien|tien)s?\b)"
                rf"[a-zà-ÿ0-9][a-zà-ÿ0-9'’\-]*(?:\s+(?!(?:et|à|a|pour|mais|je|il|on|en|c|ya|jveux|mdr|depuis|svp|merci|avec|dans|si|au)\b)[a-zà-ÿ][a-zà-ÿ'’\-]*){{0,3}}"), False),
    # « Imm. B », « villa 4 », « ch 214 », « entrée 2 », « bte 3 », « tour 7 », « bat h4 »
    (re.compile(r"(?<!\w)(?:\d{1,3}\s+)?(?i:villa|ch|imm(?:euble)?|entr[ée]e|bte|bo[iî]te|tour|b[âa]t(?:iment)?|esc(?:alier)?|lot|flat|unit)\.?\s*(?:n°\s*)?"
                r"(?:[A-Za-z]?\d{1,4}[A-Za-z]?|[A-Z]{1,2})(?!\w)"), False),
    # « 4020 Liège », « Casablanca 20000 », a country closing an address: within a chain only
    (re.compile(rf"(?<![\w.,])\d{{4}}\s+{_CAPITALISED}"), False),
    (re.compile(r"(?<!\w)[A-ZÀ-Ö][a-zà-ÿ][\w'’\-]*\s+\d{5}(?!\w)"), False),
    (re.compile(r"(?<!\w)(?<=,\s)(?:Belgique|Suisse|Luxembourg|Maroc|Alg[ée]rie|Tunisie|S[ée]n[ée]gal|Royaume-Uni|Angleterre|[ÉE]cosse|Irlande"
                r"|Espagne|Portugal|Italie|Allemagne|Canada|[ÉE]tats-Unis|C[ôo]te\s+d['’]Ivoire|Cameroun|Madagascar|Liban|Comores)(?!\w)"), False),
    # a British town and postcode (« London NW1 9DP »): within a chain only
    (re.compile(rf"(?<!\w){_CAPITALISED}[ \t]+[A-Z]{{1,2}}\d[A-Z\d]?[ \t]?\d[A-Z]{{2}}(?!\w)"), False),
    (re.compile(r"(?<!\w)(?i:b[âa]t(?:iment)?\.?|bt\.?(?=\s)|esc(?:alier)?\.?)\s*(?:[A-Z0-9]{1,3}|[a-z](?=\s+\d))(?!\w)"), False),
    # « rue 8600 n°12 » (streets numbered, not named), « n° 17 » after a street, « 3º B » (a Spanish floor): within a chain only
    (re.compile(r"(?<!\w)(?i:rue|avenue|route|all[ée]e|impasse)\s+\d{1,5}(?!\w)"), False),
    (re.compile(r"(?<!\w)(?i:n°|no\.|num[ée]ro)\s*\d{1,4}(?:\s?(?:bis|ter))?(?!\w)"), False),
    (re.compile(r"(?<!\w)\d{1,2}\s?(?:[º°ª0o](?=\s?[A-Z]\b))(?:\s?[A-Z](?!\w))?"), False),  # once normalised, « 3º B » is « 30 B »
    # a postal code and a town the COG does not hold (overseas collectivities, abroad: « 98713 Papeete », « 20330 Casablanca »,
    # « 4050-262 Porto »): within a chain only
    (re.compile(rf"(?<![\w.,])(?:\d{{5}}|\d{{4}}-\d{{3}})[ \t]+{_CAPITALISED}(?:[ \t\-]+{_CAPITALISED}){{0,2}}"), False),
    # streets abroad, named then numbered: « Calle de Alcalá 142 », « Rua das Flores 22 », « Hauptstraße 5 », « 10 Downing Street »
    (re.compile(rf"(?<!\w)(?:Calle|Carrer|Rua|Avenida|Avda\.|Via|Viale|Piazza|Corso|Strada|Straat|Rue)\s+(?:(?:de\s+la|de|del|da|das|do|dos|di|della|van)\s+)?"
                rf"{_CAPITALISED}(?:\s+{_CAPITALISED}){{0,3}}\s+\d{{1,4}}[a-zA-Z]?(?!\w)"), True),
    (re.compile(r"(?<!\w)[A-ZÄÖÜ][\wäöüß]+(?:stra(?:ss|ß)e|str\.|weg|gasse|platz|laan|straat)\s+\d{1,4}[a-z]?(?!\w)"), True),
    (re.compile(rf"(?<!\w)\d{{1,4}}[A-Za-z]?\s+{_CAPITALISED}(?:\s+{_CAPITALISED}){{0,2}}\s+(?:Street|Road|Avenue|Lane|Drive|Square)(?!\w)"), True),
    (re.compile(r"(?<!\w)(?i:apt|app(?:t|art(?:ement)?)?|chambre|logement|porte)\.?\s*(?:n°\s*)?\d{1,4}[A-Z]?(?!\w)"), False),
    (re.compile(r"(?<!\w)(?i:porte)\s+(?i:gauche|droite|face|du\s+fond)(?!\w)"), False),  # « 2e étage, porte droite »
    (re.compile(r"(?<!\w)\d{1,2}(?:e|er|ème|eme)\s+(?i:[ée]tage)(?:\s+(?i:gauche|droite|face|fond))?(?!\w)"), False),
    # a form's town field (« Ville : Paris », « Commune : Aix-en-Provence »): within a chain only
    (re.compile(rf"(?<![\w'’])(?i:ville|commune|localit[ée])\s*:[ \t]*(?:{_CAPITALISED}|[a-zà-ÿ][\w'’\-]*)(?:[ \t\-]+(?:{_CAPITALISED}|(?:sur|sous|en|les|le|la|de|du)\b)){{0,4}}"), False),
    # a quarter named by its kind alone between commas (« derb Sidi Bouloukat, médina, 40000 Marrakech »): within a chain only
    (re.compile(r"(?<=,\s)(?i:m[ée]dina|centre[\s\-]ville|(?:le\s+)?bourg|village|kasbah)(?=\s*,)"), False),
    # « BP 1043, Moroni », « 08 BP 2431 Abidjan 08 »: a post-office box and the town of its office
    (re.compile(rf"(?<!\w)(?:\d{{1,2}}\s+)?(?:BP|CS|B\.P\.)\s*\d{{1,5}}(?!\w)(?:,?[ \t]+(?!(?:Cedex|CEDEX)\b){_CAPITALISED}(?:[ \t\-]+{_CAPITALISED}){{0,2}}(?:[ \t]+\d{{1,2}}(?!\w|[.,]\d))?)?"), False),
    (re.compile(rf"(?<!\w)(?i:chez)\s+(?:(?:M\.|Mme|Mlle|Madame|Monsieur|Mr)\s+)?{_CAPITALISED}(?:\s+{_CAPITALISED}){{0,2}}"), False),
)
# « 69003 Lyon », « cp 69003 lyon », « code postal : 69003 Lyon »: the commune in any case (the COG decides).
_WORD = r"[^\W\d_][\w'’\-]*"
_POSTCODE = re.compile(
    rf"(?<![\w.,])(?:(?i:cp|c\.p\.|code\s+postal)\s*:?\s*)?(?P<code>\d{{5}}|\d{{2}}\s\d{{3}})\s+"
    rf"(?P<name>{_WORD}(?:[\s\-]+(?:{_WORD})){{0,6}})"
)
_CEDEX = re.compile(r"\s+cedex(?:\s+\d{1,2})?(?!\w)", re.IGNORECASE)
_ADDRESS_CUE = re.compile(
    r"(?<!\w)(?:j?habit\w*|vi[st]|vivons|vivent|domicil\w*|adresse|demeurant|r[ée]sid\w*|d[ée]m[ée]nag\w*|log[ée]e?s?|h[ée]berg\w*|envoy\w*\s+(?:au|à))(?!\w)",
    re.IGNORECASE,
)
_JOIN = re.compile(r"[\s,;–\-]{0,4}")
_GAP = re.compile(r"\s+(?:[a-zà-ÿ'’\-]+\s+){1,3}")
_FIVE_DIGITS = re.compile(r"\d{5}(?!\d)")
_NOT_COMMUNE = frozenset({"euros", "euro", "eur", "habitants", "personnes", "candidats", "places", "km", "élèves", "etudiants", "étudiants", "ans", "par", "pour", "les", "des", "et"})


@dataclass(frozen=True)
class _Part:
    start: int
    end: int
    alone: bool


def _postcodes(text: str) -> list[_Part]:
    """A postal code and the commune after it: the longest run of words that is a commune of that
    code; failing that, a known postal code and one capitalised word."""
    table = communes()
    found = []
    for match in _POSTCODE.finditer(text):
        code = re.sub(r"\s", "", match.group("code"))
        words = list(re.finditer(r"[^\s\-]+", match.group("name")))
        end = None
        for count in range(len(words), 0, -1):
            name = match.group("name")[: words[count - 1].end()]
            if table.matches_postcode(code, name):
                end = match.start("name") + len(name)
                break
        first_word = match.group("name").split()[0]
        if end is None and table.is_postcode(code) and len(first_word) > 2 and first_word[0].isupper():
            end = match.start("name") + len(first_word)
        if end is not None:
            cedex = _CEDEX.match(text, end)
            found.append(_Part(match.start(), cedex.end() if cedex else end, True))
        elif table.is_postcode(code) and len(first_word) > 2 and re.fullmatch(r"[a-zà-ÿ][a-zà-ÿ\-]+", first_word) and first_word not in _NOT_COMMUNE:
            # « 95140 garges », « 91000 evry »: a commune written short, in lower case; within a chain only
            found.append(_Part(match.start(), match.start("name") + len(first_word), False))
    return found


def find_addresses(text: str) -> list[tuple[str, int, int]]:
    parts = [_Part(m.start(), m.end(), alone) for pattern, alone in _PARTS for m in pattern.finditer(text)]
    parts = sorted(parts + _postcodes(text), key=lambda p: (p.start, -p.end))
    chains: list[list[_Part]] = []
    for part in parts:
        last = chains[-1][-1] if chains else None
        joined = last is not None and (
            part.start <= max(p.end for p in chains[-1])
            or _JOIN.fullmatch(text[max(p.end for p in chains[-1]) : part.start])
            # « 3 ter impasse du moulin à vent 44300 nantes »: a few words between a street and its postal code
            # (not two postal codes: « autour de 31000 et 31400 » names two areas, not an address)
            or (_GAP.fullmatch(text[max(p.end for p in chains[-1]) : part.start]) and _FIVE_DIGITS.match(text, part.start)
                and not all(text[p.start : p.end].isdigit() for p in chains[-1]))
        )
        if joined:
            chains[-1].append(part)
        else:
            chains.append([part])
    found = []
    for chain in chains:
        start, end = chain[0].start, max(p.end for p in chain)
        start = _named_place_before(text, start)
        start = _commune_before_postcode(text, start)
        end = _town_after(text, end)
        acronym = text[start:end].split()[-1].isupper() and len(text[start:end].split()[-1]) <= 6  # « résidence CROUS »
        distinct = [p for p in chain if not any(q is not p and q.start <= p.start and p.end <= q.end and (q.start, q.end) != (p.start, p.end) for q in chain)]
        distinct = list({(p.start, p.end): p for p in distinct}.values())
        if (len(distinct) >= 2 or any(p.alone for p in chain) or (_cued(text, start) and not acronym)) and not _establishments_address(text, start):
            found.append(("ADRESSE", start, end))
    return found


# A place's name opening an address, before a comma (« habitent La Grange Neuve, 24250 Domme »,
# « adresse : Section Bellevue, 97139 Les Abymes »): part of it after an address cue.
# (« j'habite le Bourg, 46240 … »: the article in lower case), or before a number that opens the rest
# (« nous vivons à Sicap Liberté 6, villa 4021 », « J'habite Cocody Riviera 3, villa 112 »).
_NAMED_PLACE_BEFORE = re.compile(rf"(?<![\w'’])(?:(?i:le|la|les|l['’])\s*)?{_CAPITALISED}(?:(?:\s+{_LINK})?\s+{_CAPITALISED}){{0,3}}\s*,\s*$")
_NAMED_PLACE_BEFORE_NUMBER = re.compile(rf"(?<![\w'’])(?:(?:Le|La|Les|L['’])\s*)?{_CAPITALISED}(?:(?:\s+{_LINK})?\s+{_CAPITALISED}){{0,3}}[ \t]+$")


def _named_place_before(text: str, start: int) -> int:
    match = _NAMED_PLACE_BEFORE.search(text, max(0, start - 60), start)
    if not match and text[start : start + 1].isdigit():
        match = _NAMED_PLACE_BEFORE_NUMBER.search(text, max(0, start - 60), start)
    if not match:
        return start
    begin = match.start()
    first = re.match(r"\S+\s+", match.group(0))
    if first and _CUE_WORD.fullmatch(first.group(0).strip()):  # « J'habite Cocody Riviera 3 »: the cue is no place
        begin += first.end()
    return begin if begin < start and _cued(text, begin) else start


_CUE_WORD = re.compile(r"(?i:j['’]?habite|habite|adresse|vis|vit)")
# After an address, « à Vierzon », « a saint etienne » (a commune of the COG, in any case), or a town closing
# the sentence after a comma (« villa 4021, Dakar. », « BP 1043, Moroni, Comores »), and a country.
_AT_TOWN = re.compile(r"[ \t]*,?[ \t]+(?:à|a)[ \t]+((?:[^\W\d_][\w'’]*[ \t\-]*){1,5})")  # (« 8 rue Pasteur, à Brest »)
_COMMA_TOWN = re.compile(rf"[ \t]*,[ \t]*({_CAPITALISED}(?:[ \t\-]+{_CAPITALISED}){{0,2}})(?:[ \t]+\d{{1,2}}(?:e|er|ème)(?!\w))?(?=[ \t]*(?:[.;!?\n(—–]|,|$))")
_TOWN_NOT = frozenset({"merci", "cordialement", "bonjour", "bonsoir", "salut", "france", "est-ce", "mais", "donc", "alors", "sinon"})


def _town_after(text: str, end: int) -> int:
    at = _AT_TOWN.match(text, end)
    if at:
        words = list(re.finditer(r"[^\W\d_][\w'’]*", at.group(1)))
        for count in range(len(words), 0, -1):
            if communes().is_commune(at.group(1)[: words[count - 1].end()]):
                return at.start(1) + words[count - 1].end()
    for _ in range(3):  # a quarter, a town, then its country (« Hydra, Alger, Algérie »)
        comma = _COMMA_TOWN.match(text, end)
        if not comma or comma.group(1).lower() in _TOWN_NOT:
            break
        name = comma.group(1)
        after = text[comma.end() : comma.end() + 3]
        if communes().is_territory(name) or communes().is_commune(name) or (not is_first_name(name.split()[0]) and not after.startswith(",")) or (
            after.startswith(",") and _COMMA_TOWN.match(text, comma.end()) and communes().is_territory(_COMMA_TOWN.match(text, comma.end()).group(1))
        ):
            end = comma.end()
        else:
            break
    return end


# A commune written before its postal code (« j'habite a saint-malo 35400 7 rue de la soif »).
_WORDS_BEFORE = re.compile(r"(?<![\w'’\-])((?:[^\W\d_][\w'’]*[ \t\-]+){1,4})$")
_WORDS_COMMA_BEFORE = re.compile(r"(?<![\w'’\-])((?:[^\W\d_][\w'’]*[ \t\-]*){1,4}),[ \t]*$")  # « j'habite a montreuil, 14 rue… »


def _commune_before_postcode(text: str, start: int) -> int:
    code = re.match(r"\d{5}(?!\d)", text[start:])
    before = _WORDS_BEFORE.search(text, max(0, start - 50), start)
    if not before and code:
        return start
    if not code:  # « j'habite a montreuil 5 rue de paris »: a commune of the COG right before a numbered street, after a cue
        before = before or _WORDS_COMMA_BEFORE.search(text, max(0, start - 50), start)
        if not before or not re.match(r"\d{1,4}\b", text[start:]) or not _cued(text, start):
            return start
        words = list(re.finditer(r"[^\W\d_][\w'’]*", before.group(1)))
        for word in words:
            name = text[before.start(1) + word.start() : start].strip(" \t-,")
            if communes().is_commune(name) and name.lower() not in _NOT_COMMUNE and not is_first_name(name.split()[0]) and not (name.islower() and is_french_word(name)):
                return before.start(1) + word.start()  # (not « chez son père, 8 rue… »: « Père » is a commune, « père » a word)
        return start
    words = list(re.finditer(r"[^\W\d_][\w'’]*", before.group(1)))
    for word in words:  # the longest run of words ending before the code that is a commune of that code
        name = text[before.start(1) + word.start() : start].strip(" \t-")
        if communes().matches_postcode(code.group(0), name):
            return before.start(1) + word.start()
    return start


# An establishment's address is public: « le CIO c'est bien au 12 rue Victor Hugo ? », « Le lycée est situé 5 avenue
# de la Gare, 26000 Valence », « l'adresse du CIO de Bobigny ? 1 rue Carnot… », when the sentence says nothing of
# anyone living there (no « je », « mon », « nous », « il habite »…).
_ESTABLISHMENT = re.compile(
    r"(?<![\w'’])(?:lyc[ée]e|coll[èe]ge|cio|crous|fac|facult[ée]|universit[ée]|iut|[ée]cole|campus|cfa|mairie|caf|salon|forum|rectorat"
    r"|[ée]tablissement|internat|agence|mission\s+locale|france\s+travail|p[ôo]le\s+emploi|onisep|greta|ifsi|inspe|s[ée]cr[ée]tariat"
    r"|cned|minist[èe]re|acad[ée]mie|dsden|mdph|cpam|pr[ée]fecture|entreprise|soci[ée]t[ée]|m[ée]diath[èe]que|biblioth[èe]que|mus[ée]e)(?![\w'’])",
    re.IGNORECASE,
)
# Verbs of living somewhere (besides « habiter », which each rule writes its own way).
_LIVING_VERBS = r"vi[st]|vivons|vivent|domicil\w*|demeur\w*|r[ée]sid\w*|h[ée]berg\w*|log[ée]e?s?|d[ée]m[ée]nag\w*"
_SOMEONE_LIVES = re.compile(
    r"(?<![\w'’\-])(?:[jmt]['’](?=\w)|(?:je|me|jhabite|jsuis|moi|mon|ma|mes|nous|notre|nos|on|tu|ton|ta|vous|votre|il|elle|ils|elles|leur|son|sa|ses|chez"
    rf"|habit\w*|{_LIVING_VERBS})(?![\w'’]))",
    re.IGNORECASE,
)


_LIVES = re.compile(
    rf"(?<!\w)(?:(?:j['’]?)?habit\w*|{_LIVING_VERBS}"
    r"|(?:mon|ma|notre|sa|son|leur)\s+adresse|chez\s+(?:moi|nous|lui|elle|eux))(?![\w'’])",
    re.IGNORECASE,
)
# « au CIO, 2 rue des Tanneurs », « à la médiathèque, 3 place du marché »: the establishment's address in apposition
_ESTABLISHMENT_THEN_COMMA = re.compile(rf"(?:{_ESTABLISHMENT.pattern})(?:[ \t]+[\w'’\-]+){{0,4}}?[ \t]*,[ \t]*(?:(?:au|à)[ \t]+)?$", re.IGNORECASE)


def _establishments_address(text: str, start: int) -> bool:
    before = text[max(0, start - 120) : start]
    sentences = re.split(r"[!?\n]|\.\s", before)
    sentence = sentences[-1] if sentences[-1].strip(" :,") or len(sentences) < 2 else sentences[-2]  # « l'adresse du CIO ? 1 rue… »
    if not _ESTABLISHMENT.search(sentence) or _LIVES.search(sentence):
        return False
    # « mon lycée est au… », « mon entreprise d'accueil est au… »: a possessive before the establishment is no one living there
    people = _SOMEONE_LIVES.sub(lambda m: m.group(0) if not _ESTABLISHMENT.match(sentence, m.end() + 1) else "", sentence)
    return not _SOMEONE_LIVES.search(people) or bool(_ESTABLISHMENT_THEN_COMMA.search(sentence))


def _cued(text: str, start: int) -> bool:
    before = text[max(0, start - 50) : start]
    sentence = re.split(r"[!?\n]|\.\s", before)[-1]
    return bool(_ADDRESS_CUE.search(sentence))


class AddressRecognizer(EntityRecognizer):
    def __init__(self) -> None:
        super().__init__(supported_entities=["ADRESSE"], supported_language="fr", name="fr-address")

    def load(self) -> None:  # the communes load with the scrubber (places.preload)
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        return [RecognizerResult(kind, start, end, 0.85) for kind, start, end in find_addresses(text)]
