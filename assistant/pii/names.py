"""First names: the gazetteer that tells « jsuis ines » from « jsuis perdue ».

The names come from the first-name dictionary shipped inside the `gender-guesser` package
(Jörg Michael's `nam_dict.txt`, about 45,000 names of many countries, GNU Free Documentation
License), read from the installed package, plus names given in France in the last twenty years
that it predates (`RECENT`, our own list). Common French words that are also names somewhere
(« rose », « bon », « grand ») are left out: the gazetteer is read only where a cue says a name
may follow, and there a common word is far more likely than a name.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from spacy.lang.fr.stop_words import STOP_WORDS

from knowledge.lexical import fold

RECENT = """louna eliott eliot timeo timéo thiago tiago maelys maëlys maylis lyana lyna kais kaïs ilyes ilyès rayan
ryan nael naël naelle naëlle ayden aiden aylan kylian kilian maddy mahé mahe loane lohan loann ilan ilyan jaden
aaron sohan nino lenny lorenzo lilou lila romy alba ambre capucine apolline mila alma ayla inaya inès ines
jade lina anaé anae maiwenn maïwenn nolan noah noa naïm naim sacha sasha shayna kenza djibril souleymane
fatoumata fatou aminata mariam maryam aïcha aicha assia yanis yannis wassim amine younes anas imran ismael
ismaël eden liam tom evan ethan mathis matheo mattéo mathéo enzo lucas hugo gabin sandro marceau valentin
clément clement clementine clémentine zoé zoe lou manon chloé chloe léa lea elsa eva emma louise rose""".split()

# Common words that are also first names somewhere: never taken for a name on the gazetteer alone.
COMMON = frozenset(STOP_WORDS) | frozenset(
    """bon bonne grand grande petit petite long longue beau belle fort forte franc franche sage vrai vraie rose
    prune olive ambre marin colombe aime aimé pierre rien bien mal dur dure juste jour soir nuit mer terre ciel
    fleur reine roi prince princesse ange bébé bebe cher chère chere doux douce joie paix foi espoir vie amour
    paris lille nice tours nancy lens metz nantes brest rennes lyon dole sens vienne valence orange roche
    alternance stage bac cap bts but master licence prepa lycee lycée college collège fac ecole école note
    mention rang vœu voeu voeux dossier admis refus perdu perdue grave normal top cool ok oui non ouf bref
    salut merci svp stp cordialement bonjour bonsoir coucou hello yo re
    jai ya hey ben bah wesh oh ah eh dac
    parfait super génial genial nickel extra classe bisous bises biz amicalement
    iban rib nir ine secu sécu tel tél mail email numero numéro code adresse""".split())


@cache
def first_names() -> frozenset[str]:
    """Every first name known, folded (lowercase, no accents), common French words left out."""
    names: set[str] = set()
    text = resources.files("gender_guesser").joinpath("data/nam_dict.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line[:1] in ("#", "=", ""):
            continue
        name = line[3:29].strip().replace("+", " ")
        if name:
            names.add(fold(name))
    names.update(fold(name) for name in RECENT)
    return frozenset(names - {fold(word) for word in COMMON})


def is_first_name(word: str) -> bool:
    """A known first name; a hyphenated one (« jean-baptiste ») when each part is."""
    folded = fold(word.strip("'’-.,"))
    if folded in first_names():
        return True
    parts = folded.split("-")
    return len(parts) > 1 and all(part in first_names() for part in parts)
