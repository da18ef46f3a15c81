"""French recognizers for presidio: e-mails and the names a pupil or a parent gives in a tchat.

Presidio's own context words are English and its built-in recognizers miss French
identifiers. Names here are read after a cue ("je m'appelle", "mon fils", "Mme") or, in
lower case, where the first-name gazetteer says so. NIR, IBAN, INE, dossier numbers, phones
and dates of birth are in `assistant.pii.cues`, addresses in `assistant.pii.addresses`."""

from __future__ import annotations

import re
from datetime import date
from typing import Callable, Iterable

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from spacy.lang.fr.stop_words import STOP_WORDS as FRENCH_STOP_WORDS

from assistant.pii.addresses import AddressRecognizer
from assistant.pii.cues import CueRecognizer
from assistant.pii.names import COMMON, is_commonly_given, is_first_name, is_french_word, is_given_name
from assistant.pii.places import communes

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


# The domain's ending may be missing (« lucas.bernard@gmail »): a reader still has the address.
_EMAIL = r"(?P<value>\b[\w.+\-]+@[^\W_][\w\-]*(?:\.[\w\-]+)*(?:\.[a-z]{2,})?\b)"
def identifier_recognizers() -> list[EntityRecognizer]:
    """Structured identifiers: they win over a name found in the same span."""
    return [
        RegexRecognizer("EMAIL", _EMAIL, score=0.99),
        CueRecognizer(),  # NIR, IBAN, INE, dossier numbers, phones, dates of birth
        AddressRecognizer(),
    ]


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
    intéressé intéressée interesse interessee admis admise accepté acceptée refusé refusée boursier boursière
    boursiere handicapé handicapée dyslexique nul nulle motivé motivée stressé stressée sûr sûre sur pas plus
    tellement complètement perdu·e désespéré désespérée sans dans chez vers après avant depuis encore
    vraiment ok désolé hello bjr slt cc re mdr svp urgent jai normal possible marqué combien joignable
    sportif rang classé classée entre
    voici voila voilà votre vos notre nos leurs excusez pardon concernant suite comme quand
    perdu perdue inquiet inquiète inquiete désolé désolée desole desolee content contente en pleine
    nom prénom prenom""".split()
)
_LETTER = "A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ"  # Latin letters, Latin Extended and Vietnamese included (« Şahin », « Trần »)
_CAPITAL = "A-ZÀ-ÖØ-ÞĀ-ɏḀ-ỿ"  # the extended blocks mix cases: a lower-case letter there is rare in French
_EMOJI = r"\u2600-\u27bf\U0001f000-\U0001faff"  # pictographs and symbols: in chat, an emoji ends a clause like a comma
_NAME_TOKEN = rf"[{_LETTER}][{_LETTER}'’\-]*"
_NAME_CUES = (
    r"je\s+m['’]?\s*ap+el+e?|j['’]?\s*m['’]?\s*ap+el+e?|mon\s+(?:nom(?:\s+de\s+famille)?|pr[ée]nom)(?:\s+(?:est|c['’]?\s*est|c)|\s*:|(?=\s+\w))"
    r"|moi\s+c(?:['’]?\s*est)?|mi\s+ap+el+e?"  # « mi apel kévin » (Réunion creole)
    r"|(?:c['’]?\s*est|cest|\bc|ici)\s+(?:papi|papy|mamie|mamy|mami|tonton|tata|tatie)(?!\s+(?:de\b|d['’]))"  # « c'est papi jean-claude »
    r"|ici|(?:maman|papa|m[èe]re|p[èe]re|parents|tut(?:eur|rice)(?:\s+l[ée]gale?)?|grand-m[èe]re|grand-p[èe]re)\s+(?:de|d['’])"
    # « la tante d'Aïssatou », « le mec de lou »: someone told by whose relative one is
    r"|(?<![\w'’])(?:la|le|l['’])\s*(?:tante|oncle|tonton|tata|mec|meuf|copain|copine|cousine?|fr[èe]re|s[œo]e?ur|parrain|marraine|fils|fille)\s+(?:de|d['’])"
    r"|(?:mon|ma|notre)\s+(?:copine|copain|ami|amie|[ée]l[èe]ve|pote)|notre\s+(?:fils|fille|enfant)|p[èe]re\s+d['’]|m[èe]re\s+d['’]"
    r"|mon\s+(?:fils?|enfant|neveu|petit[\s-]fils|fr[èe]re|mari|p[èe]re)|ma\s+(?:fille|ni[èe]ce|petite[\s-]fille|s[œo]e?ur|femme|m[èe]re)"
    r"|(?:mon|ma|notre)\s+(?:petite?|grande?|jeune|cadet(?:te)?|a[îi]n[ée]e?)\s+(?:fr[èe]re|s[œo]e?ur|fils|fille|cousine?)"  # « mon petit frère gabin »
    r"|(?:mes|nos)\s+(?:jumeaux|jumelles|enfants|gar[çc]ons|filles)(?:\s*:)?"  # « mes jumeaux Hugo et Léna »: children named after their word
    r"|mme|madame|mlle|mademoiselle|monsieur|m\.|mr\.?|sign[ée]|de\s+la\s+part\s+de|au\s+nom\s+de"
    # family and friends after any possessive (« sa cousine aminata », « ma tante ghislaine », « papy de noa »)
    r"|(?:mon|ma|ta|ton|sa|son|notre|votre|leur)\s+(?:cousin|cousine|oncle|tante|tonton|tata|parrain|marraine|filleule?|demi-fr[èe]re"
    r"|grand-m[èe]re|grand-p[èe]re|arri[èe]re-grand-m[èe]re|arri[èe]re-grand-p[èe]re|demi-s[œo]e?ur|beau-fr[èe]re|belle-s[œo]e?ur|beau-p[èe]re|belle-m[èe]re|belle-fille|beau-fils|fr[èe]re|s[œo]e?ur|copain|copine|pote|voisin|voisine|coloc"
    r"|camarade|meilleure?\s+(?:ami|amie|pote|copine|copain)|petit\s+ami|petite\s+amie|copain|fianc[ée]e?)"
    r"|(?:papy|papi|mamie|mamy|mami|tonton|tata|grand-oncle|grand-tante)\s+(?:de|d['’])"
    r"|une?\s+(?:certaine?|d[ée]nomm[ée]e?|nomm[ée]e?)"
    r"|dr\.?|docteure?|pr\.?|professeure?"  # « le Dr Lambert »: a third person's name is theirs to keep
)
_TITLE_CUE = re.compile(r"(?:mme|madame|mlle|mademoiselle|monsieur|m\.|mr\.?|dr\.?|docteure?|pr\.?|professeure?)\s*$", re.IGNORECASE)
_CUED_NAME = re.compile(
    rf"(?:(?<=\W)|^)(?:{_NAME_CUES})(?:[ \t]*,?[ \t]+|(?<=['’]))(?=(?P<value>{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN}){{0,2}}))", _FLAGS
)
# Words that never continue a name ("ines en terminale", "c'est vrai qu'ils").
_COMMON_WORDS = NAME_STOPWORDS | FRENCH_STOP_WORDS | frozenset(
    "vrai faux grave normal bizarre dur chaud mort fini pareil cool nul chiant obligé obligée obligatoire "
    "payant gratuit long court facile difficile compliqué".split())
# A message in capitals: « JE SUIS OLIVE MARTINEAU », « JE M'APPELLE ROSE DUPUIS »: a given first name, then a family name.
_I_AM_CAPITALS = re.compile(r"(?<![\w'’])(?:JE\s+SUIS|JE\s+M['’]?\s*APP?ELL?E|MOI\s+C['’]?\s*EST|C['’]\s*EST)\s+(?P<value>[A-ZÀ-Ö][A-ZÀ-Ö'’\-]+)(?:\s+(?P<family>[A-ZÀ-Ö][A-ZÀ-Ö'’\-]+))?")
_I_AM = re.compile(
    rf"(?:(?<=\W)|^)(?:[Jj]e\s+suis|[Jj]['’]?suis|c['’]est|\bc\b|ici|bonjour|bonsoir|salut|coucou|ch[eè]re?)\s+"
    rf"(?P<value>[{_CAPITAL}][\w'’\-]+(?:\s+(?:(?:da|dos|do|van|von|el|ben)\s+)?[{_CAPITAL}][\w'’\-]+){{0,3}})", re.UNICODE
)
# A known first name, lowercase as in chat, where a cue says a name may follow: "jsuis ines",
# "c bilal", "slt ici eliott", "moi c'est louna", "merci, maëlys", "fatou ici", or opening the
# message ("kenza 1ere spé maths"). The gazetteer (`assistant.pii.names`) decides.
_GAZETTEER_CUES = (
    r"moi\s+et|je\s+suis|j['’]?\s*suis|jsuis|jsui|chui|chuis|c['’]?\s*est|\bc\b|c[ée](?=\s)|ici|slt|salut|bjr|bonjour|bonsoir|cc|coucou|yo"
    r"|hello|moi(?:\s*,)?|merci(?:\s+beaucoup|\s+d['’]avance)?\s*,?|bisous\s*,?|signé|de\s+la\s+part\s+de"  # « c'est encore moi, Anaïs »
    r"|avec|s['’]\s*appelle|se\s+nomme|pr[ée]nomm[ée]e?|est[\s-]ce\s+que|i\s+am|i['’]m|my\s+name\s+is|jss"
    # closings before a signature, which chat writers leave in lower case: « cdlt nadia moreau »,
    # « bonne journée, ines garcia », « -- karim diallo »
    r"|(?:cdlt|cordialement|bises|biz|amicalement|bien\s+[àa]\s+vous|bonne\s+(?:fin\s+de\s+)?(?:journ[ée]e|soir[ée]e|semaine)"
    r"|a\+|[àa]\s+(?:plus|bient[ôo]t)|bye|ciao|tchao|--+|—)\s*[,.!]?"
)
_AFTER_CUE = re.compile(rf"(?:(?<=\W)|^)(?:{_GAZETTEER_CUES})(?:\s+encore)?\s+(?=(?P<value>{_NAME_TOKEN}))", _FLAGS)
# A word the writer says is their first name, whatever it also means: « c paris (oui c mon prénom) »,
# « jai lourdes comme prénom », « tout le monde m'appelle flo ».
_SAID_FIRST_NAME = re.compile(
    rf"(?:(?<=\W)|^)(?P<value>{_NAME_TOKEN})[ \t]*\((?:oui|si|ouais?|eh\s+oui)?[^)\n]{{0,14}}?pr[ée]nom"
    rf"|(?:(?<=\W)|^)j['’]?\s*ai[ \t]+(?P<value2>{_NAME_TOKEN})[ \t]+(?:comme|en)[ \t]+pr[ée]nom"
    rf"|(?:(?<=\W)|^)(?:on|tout\s+le\s+monde|mes\s+\w+|ils|elles?)[ \t]+m['’]\s*appel+e(?:nt)?[ \t]+(?P<value3>{_NAME_TOKEN})",
    _FLAGS,
)
# A nickname and the first name in brackets after it, or the other way round: « ju (justine) », « juju (enfin julie) ».
_BRACKETED_NAME = re.compile(rf"[ \t]*\([ \t]*(?:(?:enfin|en\s+vrai|alias|aka|ou|dite?|=)[ \t]+)?(?P<value>{_NAME_TOKEN})", _FLAGS)  # cues overlap
_BEFORE_ICI = re.compile(rf"(?:(?<=\W)|^)(?P<value>{_NAME_TOKEN})\s+ici\b", _FLAGS)
_OPENING = re.compile(rf"^\W*(?:(?:slt|salut|bjr|bonjour|bonsoir|cc|coucou|yo|hello)\W+)?(?P<value>{_NAME_TOKEN})\b", _FLAGS)
# Labelled fields of a form pasted in a message: "Nom : VIGNERON", "Prénom(s) : Alice",
# "Nom / Prénom : …", "Nom de l'élève : …", "Titulaire du compte : …".
_WHOSE = r"(?:\s+(?:de\s+l['’]\s*|du\s+|de\s+la\s+)(?:[ée]l[èe]ve|candidat|[ée]tudiant|enfant|responsable|parent|demandeur)e?)?"
_FIELD = re.compile(
    r"(?:^|\n|[;|]|(?<=[ \t]))\s*(?:identit[ée]|(?:nom(?:\s+de\s+famille|\s+d['’]usage|\s+de\s+naissance)?(?:(?:\s*(?:/|et|&|,)\s*|\s+)pr[ée]noms?)?"
    rf"|pr[ée]noms?(?:\(s\))?(?:(?:\s*(?:/|et|&|,)\s*|\s+)nom)?){_WHOSE}|titulaire(?:\s+du\s+compte)?|repr[ée]sentante?\s+l[ée]gale?|responsable\s+l[ée]gale?"
    r"|candidate?|[ée]l[èe]ve|[ée]tudiante?|demandeu(?:r|se)|p[èe]re|m[èe]re|parent|tuteur|tutrice|enfant)(?:\s*\d)?(?:\s*:|[ \t]*\t)\s*"
    rf"(?=(?P<value>{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN}){{0,3}}))", re.IGNORECASE,  # fields may share a line
)
# A message's last line that is a name, first name known ("\n\nLilou Caron").
_LAST_LINE = re.compile(
    rf"\n\s*(?P<value>[A-ZÀ-Ö][\w'’\-]+(?:[ \t]+[A-ZÀ-Ö][\w'’\-]+){{0,2}}(?:[ \t]+et[ \t]+[A-ZÀ-Ö][\w'’\-]+(?:[ \t]+[A-ZÀ-Ö][\w'’\-]+){{0,2}})?"
    rf"(?:[ \t]+[A-ZÀ-Ö]\.)?)\s*[.!]?\s*$"  # « Aurélien M. »: a family name's initial
)
# A name closing the message after its last sentence: « …? Fatoumata », « bonne soirée, yanis »,
# « …merci. Estelle et Fabrice Rousseau »; its first word a known first name.
_CLOSING = re.compile(
    rf"(?:[.!?,;…)]|\n)[ \t\n]*(?P<value>{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN}){{0,2}}"
    rf"(?:[ \t]+et[ \t]+[{_CAPITAL}][\w'’\-]*(?:[ \t]+[{_CAPITAL}][\w'’\-]*){{0,2}})?)(?:[ \t]*,[ \t]*\d{{1,2}}[ \t]*ans)?\s*[.!]?\s*$"
)
# -- names without a cue (round 5) --
# A capitalised word the gazetteer knows as a first name and that is no French word nor a commune, anywhere
# in a sentence (« Hier Sofiane m'a appris… », « Juliette (L3) et Arthur (3e) », « en pv avec Chaïma »), with
# the capitalised family name after it. Establishments, places and figures are then told apart by the
# scrubber's context rules (`assistant.pii.context`).
_CAPITALISED_FIRST_NAME = re.compile(
    rf"(?<![\w'’\-])(?P<value>[{_CAPITAL}][a-zà-ÿ]+(?:-[{_CAPITAL}][a-zà-ÿ]+)?)(?![\w'’\-])"
)
_CAPITALISED_BEFORE = re.compile(rf"(?<![\w'’\-])([{_CAPITAL}][\w'’\-]*)[ \t]+$")
_FAMILY_AFTER = re.compile(rf"(?:[ \t]+[{_CAPITAL}][\w'’\-]+){{0,2}}(?![\w'’\-])")
# Who says or tells something is a person: « karim ma dit », « Guerrier dit que oui », « Ferrand dit que ».
_SAYS_AFTER = re.compile(
    r"[ \t]+(?:qui[ \t]+)?(?:m['’][ \t]*a|ma|nous[ \t]+a|lui[ \t]+a|leur[ \t]+a|a|me|m['’]|nous)?[ \t]*"
    r"(?:dit|disait|dira|r[ée]pondu|appris|expliqu[ée]|racont[ée]|conseill[ée]|affirme|assure|jure|pr[ée]tend)(?![\w'’])",
    re.IGNORECASE,
)
_SUBJECT = re.compile(rf"(?<![\w'’\-])(?P<value>{_NAME_TOKEN})(?=[ \t]+(?:qui[ \t]+)?(?:m['’]|ma\b|nous\b|lui\b|leur\b|a\b|me\b|dit|disait|dira|r[ée]pondu|affirme|assure|jure|pr[ée]tend))", _FLAGS)
# A classmate told by where they are from: « lucas de ma classe ».
# A first name in lower case, subject of a verb in the past (« pk enzo a eu une réponse », « yanis est pris en BTS »).
_LOWER_SUBJECT = re.compile(
    r"(?<![\w'’\-])(?P<value>[a-zà-ÿ][a-zà-ÿ\-]{2,})(?=[ \t]+(?:a|est|avait|[ée]tait)[ \t]+(?:eu|[ée]t[ée]|pu|d[ûu]|re[çc]ue?|obtenue?|fait|prise?|admise?"
    r"|accept[ée]e?|refus[ée]e?|rat[ée]e?|r[ée]ussie?|dit|choisie?|trouv[ée]e?|envoy[ée]e?|valid[ée]e?|confirm[ée]e?)(?![\w'’]))"
)
# A capitalised given name, even a word (« Ambre », « Céleste »), subject of what happens to a candidate (« Bonjour, Ambre a
# reçu une proposition », « Céleste a déjà été acceptée »): a common noun there would take an article.
_CAPITALISED_SUBJECT = re.compile(
    rf"(?<![\w'’\-])(?P<value>[{_CAPITAL}][a-zà-ÿ\-]{{2,}})(?=[ \t]+(?:a|est|avait|[ée]tait)[ \t]+(?:(?:d[ée]j[àa]|bien|enfin|aussi|finalement)[ \t]+)?"
    r"(?:[ée]t[ée][ \t]+)?(?:eu|re[çc]ue?|obtenue?|prise?|admise?|accept[ée]e?|refus[ée]e?|rat[ée]e?|r[ée]ussie?|choisie?|envoy[ée]e?|valid[ée]e?|confirm[ée]e?"
    r"|class[ée]e?|convoqu[ée]e?|inscrite?|affect[ée]e?)(?![\w'’]))"
)
_OF_MY_CLASS_AFTER = re.compile(
    r"[ \t]+(?:de|d['’])[ \t]*(?:ma|mon|notre)[ \t]+(?:classe|promo|lyc[ée]e|coll[èe]ge|groupe|[ée]quipe|bahut|fac|club|section|internat|option)(?![\w'’])",
    re.IGNORECASE,
)
# A name in apposition to a relation: « Rose, ma meilleure amie », « Hugo, mon cousin ».
_RELATION_AFTER = re.compile(
    r"[ \t]*,[ \t]*(?:ma|mon|notre|sa|son)[ \t]+(?:meilleure?[ \t]+|petite?[ \t]+|grande?[ \t]+)?"
    r"(?:amie?|copine|copain|pote|cousine?|s[œo]e?ur|fr[èe]re|fille|fils|voisine?|camarade|coloc|nièce|neveu|filleule?)(?![\w'’])",
    re.IGNORECASE,
)
_PLACE_PREPOSITION_BEFORE = re.compile(
    r"(?<!\w)(?:en|au|aux|du|vers|depuis|(?:habit\w*|vi[st]|vivons|vivent|suis|sommes|all[ée]e?s?|aller|vais|va|partir|pars|part|partie?s?"
    r"|n[ée]e?s?|arriv[ée]e?s?|venue?s?|[ée]tudi\w*|voyag\w*|s[ée]jour|stage|[ée]chang\w*|install[ée]e?s?|loin\s+de|pr[èe]s\s+de)\s+(?:[àa]|au|aux|de|d['’])"
    r"|(?:19|20)\d\d[ \t]*,?[ \t]+[àa])\s*$",  # « née le 22 juillet 2004 à Thiès »
    re.IGNORECASE,
)
_ARTICLE_BEFORE = re.compile(r"(?<![\w'’])(?:le|la|les|l['’]|un|une|des|du|mon|ma|mes|son|sa|ses|ton|ta|ce|cette|au|aux)[ \t]*$", re.IGNORECASE)
_SENTENCE_START = re.compile(r"(?:^|[.!?\n:«\"]|\.\.\.)[ \t]*$")


def _uncued_names(text: str, organisations: list) -> list[RecognizerResult]:
    results = []
    for match in _CAPITALISED_FIRST_NAME.finditer(text):
        word = match.group("value")
        if word.lower() in _NEVER_NAMES or is_french_word(word) or not is_first_name(word) or communes().is_commune(word):
            continue
        previous = _CAPITALISED_BEFORE.search(text, max(0, match.start() - 30), match.start())
        if previous and (is_given_name(previous.group(1)) or not is_french_word(previous.group(1))):
            continue  # inside a name read from its first word (« Jean Jaurès », « Hô Chi Minh-Ville »); not after « Hier »
        if communes().is_territory(word) or any(e.label_ == "ORG" and e.start_char <= match.start() < e.end_char and "\n" not in text[e.start_char : match.start()] for e in organisations):
            continue  # « en France », « Mayotte »; « chez Renault » (the French model's ORG)
        if _PLACE_PREPOSITION_BEFORE.search(text, max(0, match.start() - 30), match.start()):
            continue  # « en Islande », « du Sri Lanka », « j'habite à Oran »: a place abroad the tables lack
        end = match.end("value")
        after = _FAMILY_AFTER.match(text, end)
        for family in re.finditer(r"\S+", after.group(0)):
            if family.group(0).lower() in _COMMON_WORDS or family.group(0).isupper() or communes().is_commune(family.group(0)):
                break
            end = after.start() + family.end()
        results.append(RecognizerResult("PERSON", match.start("value"), end, 0.9))
    for match in _SUBJECT.finditer(text):
        word, start = match.group("value"), match.start("value")
        if not _SAYS_AFTER.match(text, match.end("value")) or word.lower() in _NEVER_NAMES or word.isupper():
            continue
        if _ARTICLE_BEFORE.search(text, max(0, start - 8), start):
            continue  # « le CIO dit », « mon prof m'a dit »
        if any(e.label_ in ("ORG", "MISC") and e.start_char <= start < e.end_char for e in organisations):
            continue  # « Google dit que », « Wikipédia dit que »: the French model's organisations and works
        if word[0].isupper() and (not _SENTENCE_START.search(text, max(0, start - 4), start) or not is_french_word(word)):
            results.append(RecognizerResult("PERSON", start, match.end("value"), 0.9))  # « …, Guerrier dit que oui »
        elif word[0].islower() and is_first_name(word):
            results.append(RecognizerResult("PERSON", start, match.end("value"), 0.9))  # « karim ma dit »
    for match in _LOWER_SUBJECT.finditer(text):  # « pk enzo a eu une réponse et pas moi »
        word, start = match.group("value"), match.start("value")
        if is_first_name(word) and not is_french_word(word) and word not in _NEVER_NAMES and not communes().is_commune(word) and not _ARTICLE_BEFORE.search(text, max(0, start - 8), start) and not (
            _NOT_BEFORE_LAST.search(text, max(0, start - 14), start)  # « la licence lea a été supprimée »: a formation's short name
        ):
            results.append(RecognizerResult("PERSON", start, match.end("value"), 0.9))
    for match in _CAPITALISED_SUBJECT.finditer(text):
        word, start = match.group("value"), match.start("value")
        if not is_commonly_given(word) or word.lower() in _NEVER_NAMES | _ATTRIBUTES or communes().is_commune(word) or communes().is_territory(word):
            continue
        if _ARTICLE_BEFORE.search(text, max(0, start - 8), start) or _CAPITALISED_BEFORE.search(text, max(0, start - 30), start):
            continue  # « le Rose a été… », « Jean Moulin a été… »: not a first name alone
        if any(e.label_ == "ORG" and e.start_char <= start < e.end_char for e in organisations):
            continue  # « Orange a refusé mon stage »: a firm
        results.append(RecognizerResult("PERSON", start, match.end("value"), 0.9))
    for match in re.finditer(rf"(?<![\w'’\-]){_NAME_TOKEN}", text):
        word = match.group(0)
        if word.lower() in _NEVER_NAMES:
            continue
        if _RELATION_AFTER.match(text, match.end()) and not word.isupper():
            place = (communes().is_commune(word) or communes().is_territory(word)) and not is_first_name(word)  # « à Mayotte, notre fille… »
            lower_name = word[0].islower() and is_first_name(word) and not is_french_word(word)  # not « depuis deux ans, ma fille »
            if (word[0].isupper() or lower_name) and not place:
                results.append(RecognizerResult("PERSON", *match.span(), 0.95))
        elif _OF_MY_CLASS_AFTER.match(text, match.end()) and is_first_name(word):
            results.append(RecognizerResult("PERSON", *match.span(), 0.95))
    return results


_NICKNAME_AFTER = re.compile(rf"[ \t]*,?[ \t]+(?:ou|alias|aka|dite?)[ \t]+(?P<value>{_NAME_TOKEN})(?![\w'’\-])", _FLAGS)
# A family name at birth: « Mme Vienne née Rousseau ».
_MAIDEN_NAME = re.compile(rf"(?<![\w'’])(?i:n[ée]e)[ \t]+(?P<value>[{_CAPITAL}][\w'’\-]+(?:[ \t]+[{_CAPITAL}][\w'’\-]+)?)")
# A signature of an initial and a family name on the last line (« D. Belkacem »).
_INITIAL_SIGNATURE = re.compile(rf"\n\s*(?P<value>[A-Z]\.[ \t]*[{_CAPITAL}][\w'’\-]+(?:[ \t]+[{_CAPITAL}][\w'’\-]+)?)\s*[.!]?\s*$")
# Another name joined to a cued one: « maman de Ryan et Inaya », « d'Enzo et de Lucas ».
_AND_NAME_ANY_CASE = re.compile(rf"[ \t]+et[ \t]+(?:(?:de|d['’])[ \t]*)?(?P<value>{_NAME_TOKEN})(?![\w'’\-])")
_AND_NAME = re.compile(rf"[ \t]+et[ \t]+(?:(?:de|d['’])[ \t]*)?(?P<value>[{_CAPITAL}][\w'’\-]+)")
_SIGNATURE = re.compile(
    rf"(?i:cordialement|bien\s+[àa]\s+vous|merci(?:\s+d'avance|\s+beaucoup)?|bonne\s+journ[ée]e|thank\s+you|thanks|regards)"
    rf"\s*[,.!]?\s*\n?\s*"
    rf"(?P<value>[A-ZÀ-Ö][\w'’\-]+(?:\s+[A-ZÀ-Ö][\w'’\-]+){{0,2}})\s*[.!]?\s*$",
    re.UNICODE,
)


# « j'ai », « n'existe », « l'association »: an elided word in lower case; « peut-elle »: a verb.
_NOT_A_NAME_TOKEN = re.compile(r"^(?:[jnlsmtcd]|qu)['’][a-zà-ÿ]|-(?:t-)?(?:elle|il|ils|elles|on|je|tu|nous|vous|ce)$")


# Words after a title that name a function, not a family (« madame la conseillère », « monsieur le proviseur »).
_FUNCTION_WORD = re.compile(
    r"(?:conseill|direct|provis|principal|prof|psycho|secr[ée]tair|inspect|recteur|rectrice|maire|ministre|pr[ée]sident|responsable|docteur|m[ée]decin"
    r"|infirmi|assistant|coordinat|r[ée]f[ée]rent|charg[ée]|agent|gestionnaire|cpe)", re.IGNORECASE
)
# A title used to address the reader (« bonjour madame », « merci monsieur »): the next word is no family name.
_VOCATIVE_BEFORE = re.compile(r"(?<![\w'’])(?:bonjour|bonsoir|merci|oui|non|d[ée]sol[ée]e?|excusez(?:-moi)?|pardon|au\s+revoir|cher|ch[èe]re)[ \t,]*$", re.IGNORECASE)


def _lower_family_name_after_title(text: str, cue_start: int, value_start: int, word: str) -> bool:
    """A word in lower case after a title of address is the family name (« madame rousseau a dit », « mme fontaine »),
    even when it is also a word; not a function (« madame la conseillère ») nor after a greeting (« merci madame pour… »)."""
    return (
        bool(_ADDRESS_TITLE_BEFORE.search(text, cue_start, value_start)) and not _VOCATIVE_BEFORE.search(text, max(0, cue_start - 20), cue_start)
        and word.lower() not in _COMMON_WORDS | _CHAT_WORDS and not _FUNCTION_WORD.match(word) and len(word) >= 3
    )


_ADDRESS_TITLE_BEFORE = re.compile(r"(?<!\w)(?:mme|madame|mlle|mademoiselle|monsieur|m\.|mr\.?)\s+$", re.IGNORECASE)


def _elided_word(token: str) -> bool:
    """« c'est », « l'année »: an elided French word in lower case (« n'diaye », « d'Arc » are names)."""
    elided = re.match(r"(?:[jnlsmtcd]|qu)['’](.+)$", token, re.IGNORECASE)
    return bool(elided) and elided.group(1)[:1].islower() and (elided.group(1).lower() in _COMMON_WORDS or is_french_word(elided.group(1)))


def _elided_name(token: str) -> bool:
    """« n'diaye », « n'golo »: a name written with an elision whose rest is no word."""
    return bool(re.match(r"[nd]['’][a-zà-ÿ]{3,}$", token, re.IGNORECASE)) and not _elided_word(token)


def _trim_name(text: str, start: int, end: int, after_title: bool = False) -> tuple[int, int] | None:
    """Keep the leading tokens that can be a name (stop at the first function word, and after a
    capitalised first token at the first lower-case word that is no particle: « Mme Durand conseille »)."""
    kept_end = start
    capitalised = text[start : start + 1].isupper()
    for match in re.finditer(_NAME_TOKEN, text[start:end]):
        token = match.group(0)
        following = text[start + match.end() : end].lstrip()[:1]
        # « Mme Le Goff », and after a title « Mme de Saint-Pierre »
        family_particle = following.isupper() and (
            (token[0].isupper() and token.lower() in PARTICLES) or (after_title and kept_end == start and token in ("de", "du", "des"))
        )
        if after_title and kept_end == start and token == "de" and re.match(r"\s+(?:la|l['’])\s*[A-ZÀ-Ö]", text[start + match.end() : end + 4]):
            family_particle = True  # « Mme de la Fontaine »
        elif after_title and token in ("la", "l") and text[start:start + match.start()].strip() == "de" and following.isupper():
            family_particle = True
        lower_particle = False
        if after_title and kept_end == start and token in PARTICLES and following.islower() and _ADDRESS_TITLE_BEFORE.search(text, max(0, start - 14), start):
            # « mme le floch », « m. da costa »: after a title of address only (« pr le bts » is « pour le BTS »)
            next_word = re.match(_NAME_TOKEN, text[start + match.end() : end].lstrip())
            lower_particle = bool(next_word) and next_word.group(0).lower() not in _COMMON_WORDS and not is_french_word(next_word.group(0))
        elided_name = _elided_name(token) and kept_end == start and after_title
        if (token.lower().strip("'’-") in NAME_STOPWORDS and not (family_particle or lower_particle)) or (_NOT_A_NAME_TOKEN.search(token) and not elided_name):
            break  # (« mme n'diaye »: after a title, an elided name whose rest is no word)
        if token.lower() in _CHAT_WORDS or _CHAT_VERB.match(token) or _elided_without_apostrophe(token):  # « ici jsuis en 3e », « nour jhabite »
            break
        if kept_end > start and token in ("dit", "disait", "pense", "trouve", "conseille", "explique", "affirme"):
            break  # « m. ratsimbazafy dit que… »: a verb after the name
        capitalised = capitalised or family_particle
        if capitalised and token[0].islower() and token.lower() not in PARTICLES:
            break
        kept_end = start + match.end()
    return (start, kept_end) if kept_end > start else None


def _with_surname(text: str, end: int) -> int:
    """A first name's end moved past the surname right after it ("ayoub colin", "Sofiane Martin"):
    the next word, if it is not a common word (« ines en terminale », « lyna 07… »)."""
    following = re.match(rf"[ \t]+((?:(?:le|la|de|du|des|van|von|ben|ait|aït|el|da|dos)[ \t]+)?{_NAME_TOKEN})(?![\w'’])", text[end:], re.IGNORECASE)
    if following and text[end - 1 : end].isalpha() and re.search(rf"(?<![{_LETTER}])[{_CAPITAL}][{_LETTER}'’\-]*$", text[:end]) and re.sub(r"^[dl]['’]", "", following.group(1).split()[-1], flags=re.IGNORECASE)[:1].islower():
        return end  # « Noël approche »: a capitalised first name's family name is capitalised too (« de Villiers », « d'Arc »)
    last = following.group(1).split()[-1] if following else ""
    if following and " " in following.group(1).strip() and following.group(1).split()[0].lower() in ("de", "du") and (
        communes().is_territory(last)
    ):
        return end  # « je suis tsiory de madagascar »: a country one is from, not a family name (« dylan de villiers » keeps his)
    if following and " " in following.group(1).strip() and (last.lower() in _COMMON_WORDS | _CHAT_WORDS or (last.islower() and is_french_word(last))):
        following = re.match(rf"[ \t]+({_NAME_TOKEN})(?![\w'’])", text[end:])  # « dylan le gall », not « lucas le plus », « sofiane du lycée »
    if following and following.group(1).lower().strip("'’-") not in _COMMON_WORDS | _CHAT_WORDS and not _elided_word(following.group(1)) and not _CHAT_VERB.match(following.group(1)):
        return end + following.end()  # (not « Florence c'est… »: an elided word is no family name; « n'diaye » is one)
    return end


PARTICLES = frozenset("de du des le la van von da dos do el ben ait aït bin".split())


def _elided_without_apostrophe(token: str) -> bool:
    """« linfo », « lalternance », « lentreprise »: « l' » and a French word, as chat writes them (not « lina », « lou »)."""
    return (
        token[:1] in "lLdD" and token[1:2].lower() in "aeiouyéèêh" and len(token) >= 6 and token[1:].islower()
        and is_french_word(token[1:]) and not is_given_name(token)
    )


_CHAT_WORDS = frozenset("ici jsuis jsui chui chuis jfais jveux jpeux jvais jsais g c tjr pr pk pcq koi mdr lol svp stp dc bcp cest mi".split())  # « mi »: « je » in Réunion creole
# « jhabite », « jpense », « jcrois »: a verb after a « j » without its apostrophe, as chat writes it (no name starts so in lower case)
_CHAT_VERB = re.compile(r"j[bcdfghklmnpqrstvwxz][a-zàâçéèêëîïôûù]+$")
_NEVER_NAMES = _COMMON_WORDS | _CHAT_WORDS  # words never read as a name without a cue


# -- first names that are also words (round 6: « pierre », « prune », « marin », « ange ») --
# Such a word is a name where the sentence leaves no other reading: introducing oneself at the very
# start of a message (« re c pierre jai oublié », « slt cest prune et colombe on est… », « olive ici »),
# or after a relative (« mon neveu ange il est né… »), when a new clause follows it. Adjectives that
# INSEE also lists as given (« c juste », « c parfait ») never.
_GREETING = r"(?:slt|salut|bjr|bonjour|bonsoir|cc|coucou|yo|hello|re|hey|wesh|wsh|mdr|lol|ptdr)"
_INTRO_OPENING = re.compile(
    rf"^\W*(?:{_GREETING}\W+)?(?:moi\s+)?(?:c['’]?\s*est|cest|c|ici|jsuis|jsui|chuis|chui|je\s+suis|j['’]?\s*suis)\s+(?P<value>{_NAME_TOKEN})"
    rf"(?:[ \t]+et[ \t]+(?P<second>{_NAME_TOKEN}))?", _FLAGS
)
_ICI_OPENING = re.compile(rf"^\W*(?:{_GREETING}\W+)?(?P<value>{_NAME_TOKEN})[ \t]+ici\b", _FLAGS)
_CLAUSE_AFTER = re.compile(
    rf"[ \t]*(?:[,(.!?\n{_EMOJI}]|$|(?:il|elle|qui|est|a|va|veut|voudrait|n[ée]e?s?|fait|aimerait|souhaite|jai|j['’]\w*|g|on|je|jsuis|jveux|moi|ici|mon|ma|mes|et[ \t]+(?:je|j['’]|jsuis|jveux|moi|on))\b)",
    _FLAGS,
)
_ATTRIBUTES = frozenset(
    "juste franc parfait clair constant innocent prudent modeste aimable candide fidele fidèle vital fortune saint sainte laid mai avril "
    "don can line rime mama prince sauveur désiré desire aimé aime".split()
)


# A capitalised given name that is a word, after « avec », « est-ce que », « moi et » or a greeting opening the message,
# doing something (« avec Pierre on veut… », « Est-ce que Colombe peut… », « Bonjour, Prune voudrait… », « Ambre et moi on… »);
# not « Ambre est une couleur » (« est » and « a » are left out: a word is as often the subject).
_DOING_AFTER = re.compile(
    r"[ \t]*(?:et[ \t]+(?:moi|on|nous)\b|(?:on|il|elle|qui|veut|voudrait|peut|pourrait|pourra|doit|souhaite|aimerait|m['’]|ma|me|nous)\b)", _FLAGS
)
_WISH_AFTER = re.compile(r"[ \t]+(?:veut|voudrait|souhaite|souhaiterait|aimerait|r[êe]ve|h[ée]site)[ \t]+(?:faire|entrer|aller|[ée]tudier|devenir|passer|partir|int[ée]grer|travailler|s['’]inscrire|postuler|de|d['’]|entre)\b", _FLAGS)
_WORD_NAME_CUES = re.compile(r"(?:avec|est[\s-]ce\s+que|moi\s+et)\s+$", _FLAGS)


# What is named with « s'appelle » when it is no one (« la formation s'appelle Design », « ça s'appelle Parcoursup »).
_THING_NAMED_BEFORE = re.compile(
    r"(?<![\w'’])(?:formation|fili[èe]re|sp[ée]\w*|option|dipl[ôo]me|m[ée]tier|ville|commune|village|quartier|rue|appli\w*|site|plateforme"
    r"|[ée]cole|lyc[ée]e|coll[èe]ge|fac|universit[ée]|dispositif|programme|concours|classe|entreprise|bo[îi]te|association|[çc]a|cela|truc)s?[ \t]*$",
    re.IGNORECASE,
)


def _capitalised_word_name(regex: re.Pattern[str], match: re.Match[str], text: str) -> bool:
    value = match.group("value")
    if value.lower() in _ATTRIBUTES or not is_commonly_given(value) or not _DOING_AFTER.match(text, match.end("value")):
        return False
    if regex is _OPENING:  # « Bonjour, Prune voudrait… », « Ambre et moi… », « Ambre voudrait faire un BTS »: who wishes is someone
        return bool(re.match(rf"^\W*{_GREETING}\W+", text, re.IGNORECASE)) or bool(re.match(r"[ \t]+et[ \t]+moi\b", text[match.end("value") :], re.IGNORECASE)) or (
            bool(_WISH_AFTER.match(text, match.end("value"))) and not communes().is_commune(value) and not communes().is_territory(value)
        )
    return regex is _AFTER_CUE and bool(_WORD_NAME_CUES.search(text, 0, match.start("value")))


def _word_name(word: str, text: str, end: int) -> bool:
    """A commonly given first name that is also a word, followed by a new clause."""
    return word.lower() not in _ATTRIBUTES and is_commonly_given(word) and bool(_CLAUSE_AFTER.match(text, end))


# A lower-case first name closing the message without a comma (« …ca marche pas leila », « …94000 creteil ines »).
_LAST_WORD = re.compile(r"(?<=[a-zà-ÿ0-9])[ \t]+(?P<value>[a-zà-ÿ][a-zà-ÿ'’\-]{2,})[ \t]*[.!]?\s*$")
_NOT_BEFORE_LAST = re.compile(
    r"(?<![\w'’])(?:à|a|au|aux|de|du|des|en|le|la|les|l|un|une|chez|vers|sur|pour|avec|par|dans|et|ou|mon|ma|mes|son|sa|ses|ce|cette"
    # a formation's or a school's short name (« licence lea », « but gea », « faire insa »)
    r"|licence|bts|but|bac|pro|cap|bep|master|dut|lp|sp[ée]|sp[ée]cialit[ée]|fili[èe]re|option|section|cursus|pr[ée]pa|[ée]cole|concours"
    r"|parcours|mention|faire|fais|fait|prendre|choisir|int[ée]grer|rejoindre)[ \t]+$", re.IGNORECASE)
# A capitalised first name closing the message right after a phone number (« …au 06 12 34 56 78 Julie »), with its family name.
_NAME_AFTER_PHONE = re.compile(
    rf"(?:\+|\b0)\d(?:[ \t.\-]?\d){{8,11}},?[ \t]+(?:[-—–][ \t]*)?(?P<value>[{_CAPITAL}][a-zà-ÿ'’\-]{{2,}})(?P<family>[ \t]+[{_CAPITAL}][\w'’\-]+)?[ \t]*[.!]?\s*$"
)
# A name given with its date of birth or age in brackets (« nous accueillons Jordan (DN : 2007-03-28) »).
_BIRTH_IN_BRACKETS = re.compile(rf"(?<![\w'’\-])(?P<value>[{_CAPITAL}][a-zà-ÿ'’\-]+)[ \t]*\((?i:dn|ddn|n[ée]e?\b|date\s+de\s+naiss|\d{{1,2}}[ \t]*ans)")  # capitalised: case-sensitive


# Someone named by their role in the writer's life, maybe with the subject taught, the name after a comma or not
# (« mon prof de philo, Lemoine, veut… », « ma CPE Mme… » is read by the title): a capitalised word that is no French word.
_ROLE_NAME = re.compile(
    rf"(?<![\w'’])(?i:mon|ma|notre|nos|mes|le|la|l['’])[ \t]*(?i:prof(?:esseure?)?s?|cpe|conseill[eè]re?|proviseure?|principale?|directeur|directrice"
    rf"|tuteur|tutrice|r[ée]f[ée]rente?|coach|ma[iî]tre(?:sse)?\s+de\s+stage|entraîneu(?:r|se))"
    rf"(?:[ \t]+(?i:principale?|(?:de|d['’]|en)[ \t]*[\w\-]+))?[ \t]*,?[ \t]+(?P<value>[{_CAPITAL}][a-zà-ÿ'’\-]+)(?![\w'’\-])"
)
# A family named by its name (« rappeler la famille Benkirane », « chez la famille Morel »).
_FAMILY_NAME = re.compile(rf"(?<![\w'’])(?i:la|ma|notre|votre|sa|leur)[ \t]+(?i:famille)[ \t]+(?P<value>[{_CAPITAL}][a-zà-ÿ'’\-]+)(?![\w'’\-])")
# A first name in apposition to someone the message speaks of (« une élève de terminale, Grâce, n'a pas… »).
_APPOSED_NAME = re.compile(
    rf"(?<![\w'’])(?i:un|une|l['’]|mon|ma|notre|cet|cette)[ \t]*(?i:[ée]l[èe]ve|[ée]tudiante?|candidate?|lyc[ée]enne?|coll[ée]gienne?|apprentie?|stagiaire|jeune|fille|fils|enfant)"
    rf"(?:[ \t]+(?i:de|d['’]|en)[ \t]*[\w\-]+)?[ \t]*,[ \t]*(?P<value>[{_CAPITAL}][a-zà-ÿ'’\-]+)[ \t]*,"
)


# Names listed before « et moi » (« Rose, Jade et moi on veut… »), and two names subject of what happens to candidates
# (« Marine et Pierre ont été pris »): places only people stand in; each a given name, even a word.
_LISTED_WITH_ME = re.compile(
    rf"(?:^|(?<=[.!?\n,:]))[ \t]*(?P<names>[{_CAPITAL}][a-zà-ÿ'’\-]+(?:[ \t]*,[ \t]*[{_CAPITAL}][a-zà-ÿ'’\-]+)+)[ \t]+et[ \t]+moi[ \t]+(?:on|nous|sommes|avons|voulons|voudrions|allons|on\b)"
)
_PAIR_SUBJECT = re.compile(
    rf"(?<![\w'’\-])(?P<first>[{_CAPITAL}][a-zà-ÿ\-]{{2,}})[ \t]+et[ \t]+(?P<second>[{_CAPITAL}][a-zà-ÿ\-]{{2,}})(?=[ \t]+(?:ont|sont)[ \t]+"
    r"(?:(?:d[ée]j[àa]|bien|enfin|aussi|finalement|tous[ \t]+les[ \t]+deux|toutes[ \t]+les[ \t]+deux)[ \t]+)?(?:[ée]t[ée][ \t]+)?"
    r"(?:eu|re[çc]u(?:e?s)?|obtenu|pris(?:es)?|admi(?:s|ses)|accept[ée]e?s|refus[ée]e?s|convoqu[ée]e?s|inscrit(?:e?s)?|affect[ée]e?s|class[ée]e?s|rat[ée]|r[ée]ussi)(?![\w'’]))"
)


def _word_or_first_name(word: str) -> bool:
    """A capitalised first name, or a word commonly given as one (« Rose », « Pierre », even a commune's name), that is no region or country."""
    return (is_first_name(word) or is_commonly_given(word)) and word.lower() not in _NEVER_NAMES | _ATTRIBUTES and not communes().is_territory(word)


_LIST_GOES_ON = re.compile(rf"[ \t]*[{_CAPITAL}][\w'’\-]*[ \t]*(?:,|et\b|ou\b)")


def _field_answer(value: str) -> bool:
    """A lower-case word answering a form's field (« oui », « non », « aucun »), not a name written in lower case."""
    return " " not in value and value.islower() and (value in _COMMON_WORDS or is_french_word(value)) and not is_first_name(value)


def _role_or_family_name(value: str) -> bool:
    """A capitalised word after a role or « la famille » that is a family name: no French word, no place, not a service."""
    return (
        value.lower() not in _NEVER_NAMES and not is_french_word(value) and not communes().is_commune(value)
        and not communes().is_territory(value) and value.lower() not in {"parcoursup", "onisep", "crous", "pronote", "moodle"}
    )


# A first name right before a whole date of a pupil's or an adult's birth (« mes 2 filles : ines 12/03/2008 et lou… »,
# « Lucas : 04/11/2009 »): someone listed with the day they were born.
_NAME_THEN_BIRTH = re.compile(
    rf"(?<![\w'’\-])(?P<value>[{_LETTER}][a-zà-ÿ'’\-]+)[ \t]*[:(,]?[ \t]*\d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?P<year>(?:19|20)\d{{2}})(?![\w/]|[.\-]\d)"
)


def _listed_with_birth(match: re.Match[str]) -> bool:
    value = match.group("value")
    return (
        1920 <= int(match.group("year")) <= date.today().year - 8  # a recent date is a letter's or a deadline's
        and is_first_name(value) and not is_french_word(value) and value.lower() not in _NEVER_NAMES
    )


# A given name alone on the last line under a closing word, even one that is also a word (« …merci\naimé »).
_CLOSING_LINE_WORD = re.compile(
    rf"(?i:merci(?:[ \t]+(?:beaucoup|d['’]avance|bcp))?|cordialement|cdlt|bisous|bises|biz|bonne[ \t]+(?:journ[ée]e|soir[ée]e)|a\+|bye|salut)"
    rf"[ \t]*[,.!{_EMOJI}]*[ \t]*\n[ \t]*(?P<value>[{_LETTER}][{_LETTER}'’\-]+)[ \t]*[.!]?\s*$"
)
# « nom ferreira prenom ana rita »: a form's fields written in a line of chat, without their colons.
_LOWER_FIELDS = re.compile(
    rf"(?<![\w'’])(?i:nom)[ \t]+(?P<family>{_NAME_TOKEN})[ \t]+(?i:pr[ée]noms?)[ \t]+(?P<given>{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN})?)"
    rf"|(?<![\w'’])(?i:pr[ée]noms?)[ \t]+(?P<given2>{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN})?)[ \t]+(?i:nom)[ \t]+(?P<family2>{_NAME_TOKEN})"
)


def _closing_name(words: list[str]) -> bool:
    """A name closing a message: a known first name, then family names that are no common words
    (« Estelle Rousseau », « sarah benali »; not « enzo va bien »)."""
    return is_first_name(words[0]) and all(word.lower() not in _COMMON_WORDS | _CHAT_WORDS for word in words)


SPACY_NAME_LEADS = frozenset({"ma", "mon", "ta", "ton", "sa", "son", "le", "la", "les", "un", "une", "re", "i", "am", "i'm", "my", "name", "is",
                              "hier", "demain", "aujourd'hui", "ensuite", "puis", "alors", "donc", "enfin", "sinon"})  # « Hier Sofiane m'a dit »


class CuedNameRecognizer(EntityRecognizer):
    """Names introduced by a cue ("je m'appelle kevin dupont", "mon fils lucas", "Mme Benali").

    Scores are above spaCy's (0.85) so that presidio, which drops a result contained in a
    better-scored one, keeps these exact spans rather than a longer NER span.
    """

    def __init__(self) -> None:
        super().__init__(supported_entities=["PERSON"], supported_language="fr", name="fr-cued-name")

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        results = []
        for regex in (_CUED_NAME, _I_AM, _SIGNATURE):
            for match in regex.finditer(text):
                lead = match.group("value").split()[0]
                named = regex is _CUED_NAME and re.search(r"ap+el|nomme", text[match.start() : match.start("value")], re.IGNORECASE)
                relative = regex is _CUED_NAME and _word_name(lead, text, match.start("value") + len(lead))  # « mon neveu ange il est né »
                # « mon nom de famille dupont »: a family name that is also a word, ending the clause
                family = regex is _CUED_NAME and re.search(r"famille", text[match.start() : match.start("value")], re.IGNORECASE) and lead.lower() not in _COMMON_WORDS and bool(
                    re.match(r"[ \t]*(?:[,.!?\n]|$|et\b|je\b|j['’]|jai\b|g\b)", text[match.start("value") + len(lead) :]))
                titled = regex is _CUED_NAME and lead[:1].islower() and _lower_family_name_after_title(text, match.start(), match.start("value"), lead)
                if lead[:1].islower() and lead.lower() not in PARTICLES and not is_first_name(lead) and (is_french_word(lead) or lead.lower() in COMMON) and not (
                    named and is_given_name(lead)  # « je m'appelle rose lemarchand »: after « m'appelle », a given name even if a word
                ) and not relative and not family and not titled:
                    continue  # « mon fils étant scolarisé », « mon frère jumeau »: a word, not a name
                cleft = regex is _I_AM and re.match(r"[ \t]+qui\b", text[match.end("value") :])  # « c'est Chevalier qui m'a conseillé »
                if regex is _I_AM and communes().is_commune(match.group("value")) and not is_given_name(lead):
                    continue  # « j'ai changé de commune, c'est Vitry-le-François maintenant »: a place
                if regex is _I_AM and " " not in match.group("value") and is_french_word(lead) and not is_given_name(lead) and not cleft:
                    continue  # « je suis Sénégalaise », « je suis Boursière »: what one is, not who
                after_title = regex is _CUED_NAME and bool(_TITLE_CUE.search(text, match.start(), match.start("value")))
                if after_title and lead[:1].islower() and re.search(r"(?<![\w.])[pd]r[ \t]*$", text[match.start() : match.start("value")], re.IGNORECASE):
                    continue  # « pr lexam blanc demain », « pr linfo »: chat's « pour », not « Pr Martin »
                if after_title and re.match(r"(?:de|d['’])[ \t]*", text[match.start("value") :]) and re.search(r"profess|pr\.?[ \t]*$", text[match.start() : match.start("value")], re.IGNORECASE) and (
                    re.match(r"(?:de|d['’])[ \t]*[A-ZÀ-Ö]{2,6}\b(?![ \t]+[A-ZÀ-Ö][a-zà-ÿ])", text[match.start("value") :]) or re.match(r"(?:de|d['’])[ \t]*[a-zà-ÿ]", text[match.start("value") :])
                ):
                    continue  # « professeure de SVT », « professeur d'histoire »: a subject taught, not a family name
                span = _trim_name(text, *match.span("value"), after_title=after_title)
                if span and titled and (is_french_word(lead) or lead.lower() in COMMON):  # « monsieur boucher hier »: one word, the family name
                    span = (span[0], span[0] + len(lead))
                if span:
                    results.append(RecognizerResult("PERSON", span[0], span[1], 1.0))
                    joined = _AND_NAME.match(text, span[1]) if regex is _CUED_NAME else None
                    if joined and is_first_name(joined.group("value")):
                        results.append(RecognizerResult("PERSON", *joined.span("value"), 1.0))
        for match in _I_AM_CAPITALS.finditer(text):
            value = match.group("value").lower()
            strong = re.match(r"JE\s+(?:SUIS|M)", match.group(0))  # « C'EST » introduces a word as often as a name: only names that are no word
            if is_given_name(value) and value not in _COMMON_WORDS | _ATTRIBUTES and (strong or not is_french_word(value)):
                family = match.group("family")
                keep_family = family and family.lower() not in _COMMON_WORDS | _CHAT_WORDS and not is_french_word(family)
                if is_french_word(value) and not keep_family and not (
                    _CLAUSE_AFTER.match(text, match.end("value")) or re.match(r"\s+ET\s+(?:JE|J['’]|MOI)\b", text[match.end("value") :])
                ):
                    continue  # « JE SUIS ROSE DE HONTE »: a word; « JE SUIS MARIE ET JE VEUX… », « JE SUIS OLIVE MARTINEAU »: a name
                results.append(RecognizerResult("PERSON", match.start("value"), match.end("family") if keep_family else match.end("value"), 1.0))
        for regex in (_AFTER_CUE, _BEFORE_ICI, _OPENING):
            for match in regex.finditer(text):
                value = match.group("value")
                if regex is _AFTER_CUE and re.match(r"avec\b", match.group(0), re.IGNORECASE) and re.match(r"[ \t]*\d", text[match.end("value") :]):
                    continue  # « avec max 20 élèves »: a word before a number
                if regex is _OPENING and value[:1].islower() and re.match(r"[ \t]+(?:c['’]?\s*est|cest)\b", text[match.end("value") :], re.IGNORECASE):
                    continue  # « noel cest dans 2 semaines »: what the message is about, not who writes
                if regex is _OPENING and value.isupper() and is_french_word(value) and re.match(rf"[ \t]*(?:[!{_EMOJI}]|$)", text[match.end("value") :]):
                    continue  # « VICTOIRE 🎉🎉 j'ai été pris »: an exclamation in capitals
                if regex is _OPENING and re.match(r"(?:Saint|Sainte|St|Ste)-[A-ZÀ-Ö]", value) and communes().is_commune(value):
                    continue  # « Sainte-Rose en Guadeloupe, c'est loin ? »: a commune
                # « INSA Rennes ou UTC ? »: an acronym, unless a name in capitals goes on (« JULIE HOARAU »)
                acronym = value.isupper() and len(value) <= 5 and not re.match(r"[ \t]+[A-ZÀ-Ö]{2,}\b", text[match.end("value") :])
                if regex is _AFTER_CUE and value[:1].islower() and value.lower() in _ATTRIBUTES and not re.match(rf"^\W*{_GREETING}\W+", text, re.IGNORECASE):
                    continue  # « c'est clair », « c'est juste »: an adjective INSEE also lists as given (« bonjour c constant 🙂 » introduces)
                if is_first_name(value) and value.lower() not in _NEVER_NAMES and not acronym:  # not « yo, chui en terminale »
                    start, end = match.span("value")
                    surname_end = _with_surname(text, end)
                    if surname_end > end and is_first_name(text[end:surname_end].strip()) and not is_french_word(text[end:surname_end].strip()):
                        surname_end = _with_surname(text, surname_end)  # « fatima zahra bensaïd »: a second first name, then the family name
                    results.append(RecognizerResult("PERSON", start, surname_end, 0.95))
                elif regex is _AFTER_CUE and not value.isupper() and re.search(r"appel|nomm", match.group(0), re.IGNORECASE) and (
                    (is_given_name(value) if value[:1].isupper() else is_commonly_given(value) and bool(re.match(r"[ \t]*(?:[,.!?\n]|$|et\b)", text[match.end("value") :])))  # (« il s'appelle ange et il a 16 ans »)
                    and value.lower() not in _ATTRIBUTES and not _THING_NAMED_BEFORE.search(text, max(0, match.start() - 30), match.start())
                ):
                    results.append(RecognizerResult("PERSON", *match.span("value"), 0.95))  # « elle s'appelle Prune »: a given name, even a word
                elif value[:1].isupper() and not value.isupper() and _capitalised_word_name(regex, match, text):
                    results.append(RecognizerResult("PERSON", *match.span("value"), 0.95))
                elif match.group("value").lower() not in _COMMON_WORDS | _CHAT_WORDS and regex is _AFTER_CUE:
                    # « c lulu (enfin lucie) »: a nickname, told by the first name in brackets after it
                    bracketed = _BRACKETED_NAME.match(text, match.end("value"))
                    if bracketed and is_first_name(bracketed.group("value")):
                        results.append(RecognizerResult("PERSON", *match.span("value"), 0.95))
        for match in _SAID_FIRST_NAME.finditer(text):
            group = next(g for g in ("value", "value2", "value3") if match.group(g))
            if match.group(group).lower() not in _COMMON_WORDS | _CHAT_WORDS:
                results.append(RecognizerResult("PERSON", *match.span(group), 1.0))
        for result in list(results):
            bracketed = _BRACKETED_NAME.match(text, result.end)
            if bracketed and is_first_name(bracketed.group("value")) and bracketed.group("value").lower() not in _COMMON_WORDS:
                results.append(RecognizerResult("PERSON", *bracketed.span("value"), 0.95))
        tail = max(0, len(text) - 160)  # closing names are at the end: read only the end
        for regex in (_LAST_LINE, _CLOSING):  # « Lilou Caron », « …? Fatoumata », « Estelle et Fabrice Rousseau »
            for match in regex.finditer(text, tail):
                names = list(re.finditer(r"(?<!\S)(?!et\b)\S+(?:[ \t]+(?!et\b)\S+)*", match.group("value")))
                if all(_closing_name(m.group(0).split()) for m in names):
                    offset = match.start("value")
                    results += [RecognizerResult("PERSON", offset + m.start(), offset + m.end(), 0.95) for m in names]
        for match in _INITIAL_SIGNATURE.finditer(text, tail):
            results.append(RecognizerResult("PERSON", *match.span("value"), 0.95))
        closing = _CLOSING_LINE_WORD.search(text, tail)
        if closing and is_commonly_given(closing.group("value")) and closing.group("value").lower() not in _NEVER_NAMES:
            results.append(RecognizerResult("PERSON", *closing.span("value"), 0.95))  # « merci\naimé »: a given name alone under a closing
        for match in _LOWER_FIELDS.finditer(text):
            for group in ("family", "given", "family2", "given2"):
                if match.group(group):
                    span = _trim_name(text, *match.span(group))
                    if span:
                        results.append(RecognizerResult("PERSON", *span, 1.0))
        last = _LAST_WORD.search(text, tail)
        if last and not _NOT_BEFORE_LAST.search(text, max(0, last.start("value") - 8), last.start("value")):
            word = last.group("value")
            if is_first_name(word) and not is_french_word(word) and word not in _NEVER_NAMES and not communes().is_commune(word):
                results.append(RecognizerResult("PERSON", *last.span("value"), 0.95))
        after_phone = _NAME_AFTER_PHONE.search(text, tail)
        signed = after_phone.group("value") if after_phone else ""
        if after_phone and ((is_first_name(signed) and not is_french_word(signed)) or is_commonly_given(signed)) and signed.lower() not in _NEVER_NAMES and not communes().is_commune(signed):
            family = after_phone.group("family")
            end = after_phone.end("family") if family and family.strip().lower() not in _COMMON_WORDS else after_phone.end("value")
            results.append(RecognizerResult("PERSON", after_phone.start("value"), end, 0.95))  # « …rappelez-moi au 06 12 34 56 78 Julie »
        for regex in (_INTRO_OPENING, _ICI_OPENING):
            match = regex.match(text)
            second = match and match.groupdict().get("second")
            if second and second.lower() in _COMMON_WORDS | _CHAT_WORDS:
                second = None  # « jsui prune et je veux… »: a clause, not a second name
            value = match.group("value") if match else ""
            papers = match and re.match(r"[ \t]*\([ \t]*(?i:sur\s+(?:mes|les|ses)\s+papiers|(?:mon|de\s+mon)\s+vrai\s+(?:nom|pr[ée]nom)|en\s+vrai|enfin)", text[match.end("value") :])
            if match and regex is _INTRO_OPENING and value.lower() not in _NEVER_NAMES and (not is_french_word(value) or papers) and (
                (_elided_name(value) and _CLAUSE_AFTER.match(text, match.end("value")))
                or (re.match(r"[ \t]*\(", text[match.end("value") :]) and any(match.end("value") < r.start < match.end("value") + 40 for r in results))
            ):
                results.append(RecognizerResult("PERSON", *match.span("value"), 0.95))  # « salut c n'golo jsuis… », « c tijo (sur les papiers c jonathan bérard) »
                continue
            if match and _word_name(value, text, match.end("value") if not second else match.end()):
                results.append(RecognizerResult("PERSON", *match.span("value"), 0.95))
                if second and is_given_name(second):
                    results.append(RecognizerResult("PERSON", *match.span("second"), 0.95))
        for regex in (_ROLE_NAME, _FAMILY_NAME):
            for match in regex.finditer(text):
                if _role_or_family_name(match.group("value")):
                    results.append(RecognizerResult("PERSON", *match.span("value"), 0.95))
        for match in _APPOSED_NAME.finditer(text):
            if is_given_name(match.group("value")) and not _LIST_GOES_ON.match(text, match.end()):  # not « un élève de 1re, Hugo, Zola ou Balzac ? »
                results.append(RecognizerResult("PERSON", *match.span("value"), 1.0))
        for match in _LISTED_WITH_ME.finditer(text):  # « Rose, Jade et moi on veut… »
            listed = list(re.finditer(rf"[{_CAPITAL}][a-zà-ÿ'’\-]+", match.group("names")))
            if all(_word_or_first_name(m.group(0)) for m in listed):
                results += [RecognizerResult("PERSON", match.start("names") + m.start(), match.start("names") + m.end(), 1.0) for m in listed]
        for match in _PAIR_SUBJECT.finditer(text):  # « Marine et Pierre ont été pris en BTS »
            if all(_word_or_first_name(match.group(g)) for g in ("first", "second")) and not _ARTICLE_BEFORE.search(text, max(0, match.start() - 8), match.start()):
                results += [RecognizerResult("PERSON", *match.span(g), 1.0) for g in ("first", "second")]  # (not read as « Florence ou Rome »: places)
        for match in _NAME_THEN_BIRTH.finditer(text):
            if _listed_with_birth(match):
                results.append(RecognizerResult("PERSON", *match.span("value"), 1.0))
        for match in _BIRTH_IN_BRACKETS.finditer(text):
            if is_given_name(match.group("value")):
                results.append(RecognizerResult("PERSON", *match.span("value"), 1.0))
        doc = getattr(nlp_artifacts, "tokens", None)
        results += _uncued_names(text, list(getattr(doc, "ents", None) or []))  # every entity of the model, ORG included
        # another first name joined to a name found, in any case: « avec aya et rayan », « Inaya et Lucas »
        for result in list(results):
            joined = _AND_NAME_ANY_CASE.match(text, result.end)
            if joined and is_first_name(joined.group("value")) and joined.group("value").lower() not in _COMMON_WORDS:
                results.append(RecognizerResult("PERSON", *joined.span("value"), 0.9))
        for result in list(results):  # « yasmine ou yas comme vous voulez »: a name's short form after it
            nickname = _NICKNAME_AFTER.match(text, result.end)
            name = text[result.start : result.end]
            if nickname and nickname.group("value").lower()[:2] == name.lower()[:2] and len(nickname.group("value")) < len(name.split()[0]) and nickname.group("value").lower() not in _NEVER_NAMES:
                results.append(RecognizerResult("PERSON", *nickname.span("value"), 0.9))
        for match in _MAIDEN_NAME.finditer(text):
            if not re.fullmatch(r"(?i:le|la|les|en|à|au|a)", match.group("value").split()[0]):
                results.append(RecognizerResult("PERSON", *match.span("value"), 1.0))
        for match in _FIELD.finditer(text):
            span = _trim_name(text, *match.span("value"))
            if span and not re.search(r"nom", match.group(0), re.IGNORECASE) and _field_answer(text[span[0] : span[1]]):
                continue  # « Parent : oui », « Élève : non »: a box ticked, not a name
            if span:
                results.append(RecognizerResult("PERSON", span[0], span[1], 1.0))
        return results


def spans(results: Iterable[RecognizerResult]) -> list[tuple[int, int, str]]:
    return [(r.start, r.end, r.entity_type) for r in results]
