"""What the assistant knows of how people name things: the reviewed hotline lexicon (a data
file) and the vocabulary of the indexed documents (fiche titles, their other names and the
formation acronyms of the Idéo exports).

Both are data: the lexicon is `assistant/lexicon.toml`, the vocabulary is read from the index
manifest once per index version. Nothing here is grown from evaluation questions.
"""

from __future__ import annotations

import re
import threading
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from knowledge.index import KnowledgeIndex
from knowledge.lexical import fold, tokenize, tokenize_with_spans

LEXICON = Path(__file__).with_name("lexicon.toml")
_WORD = re.compile(r"[\w'’-]+", re.UNICODE)
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
# Acronyms that are also French words only count in capitals ("BUT" vs "but", "CAP" vs "cap").
_WORDLIKE_MIN = 3
GENERIC_NAME_DOCS = 25  # a name shared by more fiches than this says nothing about which one


def words(text: str) -> list[str]:
    """Folded words (lowercase, no accents), apostrophes and hyphens kept inside words."""
    return [w.strip("'’-") for w in _WORD.findall(fold(text)) if w.strip("'’-")]


@dataclass(frozen=True)
class Lexicon:
    """The reviewed hotline lexicon (assistant/lexicon.toml)."""

    informal: dict[str, str]
    acronyms: dict[str, str]
    jobs: dict[str, tuple[str, ...]]
    profile: dict[str, tuple[str, ...]]
    agreement: dict[str, str] = field(default_factory=dict)  # folded feminine word describing a person -> masculine

    @classmethod
    def load(cls, path: Path = LEXICON) -> "Lexicon":
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(
            informal={fold(k): v for k, v in data["informal"].items()},
            acronyms=dict(data["acronyms"]),
            jobs={" ".join(words(k)): tuple([v] if isinstance(v, str) else v) for k, v in data["jobs"].items()},
            profile={fact: tuple(values) for fact, values in data["profile"].items()},
            agreement={fold(k): v for k, v in data.get("agreement", {}).items()},
        )

    @property
    def wordlike_acronyms(self) -> frozenset[str]:
        """Acronyms that are also words: recognised only in capitals."""
        return _wordlike(tuple(self.acronyms))


@lru_cache(maxsize=4)
def _wordlike(acronyms: tuple[str, ...]) -> frozenset[str]:
    common = {"but", "du", "las", "pass", "cap", "ci", "sam", "ens", "bac", "art", "arts", "sport", "com", "ide",
              "mas", "vie", "ma", "es", "ses", "pro", "tri", "cas", "net", "nom", "fin", "sel", "dis", "mer"}
    return frozenset(a for a in acronyms if a.lower() in common or len(a) < _WORDLIKE_MIN)


@dataclass(frozen=True)
class NameMatch:
    """A document's title or other name found in a text."""

    doc_id: str
    source: str
    title: str
    length: int  # in retrieval tokens
    surface: str = ""  # the words of the text that name it


@dataclass
class Vocabulary:
    """The names the indexed documents answer to, as retrieval-token phrases."""

    version: int
    names: dict[tuple[str, ...], set[str]] = field(default_factory=dict)  # phrase -> doc ids
    titles: dict[str, tuple[str, str]] = field(default_factory=dict)  # doc id -> (source, title)
    acronyms: dict[str, str] = field(default_factory=dict)  # formation acronym -> shortest formation title
    name_words: list[str] = field(default_factory=list)  # folded words of every name (typo correction)
    known: set[str] = field(default_factory=set)  # retrieval tokens the lexical index holds
    masculine: dict[str, str] = field(default_factory=dict)  # folded feminine word of a job name -> its masculine form

    @classmethod
    def from_index(cls, index: KnowledgeIndex) -> "Vocabulary":
        vocabulary = cls(index.version)
        by_first: dict[tuple[str, ...], set[str]] = defaultdict(set)
        acronyms: dict[str, list[str]] = defaultdict(list)
        name_words: set[str] = set()
        for doc_id, source, title, others in index.manifest.all_names():
            vocabulary.titles[doc_id] = (source, title)
            if source == "oscar":
                continue  # a snippet's title is a question, not a name
            if source == "ideo-metier":
                vocabulary.masculine.update(gendered_pairs(others))
            for name in (title, *others):
                phrase = tuple(tokenize(name))
                if phrase:
                    by_first[phrase].add(doc_id)
                name_words.update(w for w in words(name) if len(w) >= 5 and w.isalpha())
                if source == "ideo-formation" and re.fullmatch(r"[A-Z][A-Z0-9]{1,7}", name.strip()):
                    acronyms[name.strip()].append(title)
        vocabulary.names = dict(by_first)
        vocabulary.acronyms = {a: min(titles, key=len) for a, titles in acronyms.items()}
        vocabulary.name_words = sorted(name_words)
        vocabulary.known = set(index.lexical("chunks").vocabulary())
        return vocabulary

    def matches(self, text: str) -> list[NameMatch]:
        """Names of documents found in `text` as whole token phrases, longest first; a phrase
        inside a longer match does not count again."""
        spans = tokenize_with_spans(text)
        tokens = [token for token, _, _ in spans]
        found: list[tuple[int, int, tuple[str, ...]]] = []
        for start in range(len(tokens)):
            for end in range(min(len(tokens), start + 8), start, -1):
                phrase = tuple(tokens[start:end])
                if phrase in self.names:
                    found.append((start, end, phrase))
                    break
        found.sort(key=lambda f: f[0] - f[1])
        taken: set[int] = set()
        result: list[NameMatch] = []
        for start, end, phrase in found:
            if taken & set(range(start, end)):
                continue
            taken |= set(range(start, end))
            doc_ids = self.names[phrase]
            if len(doc_ids) > GENERIC_NAME_DOCS:
                continue
            surface = text[spans[start][1]:spans[end - 1][2]] or " ".join(phrase)
            for doc_id in sorted(doc_ids):
                source, title = self.titles[doc_id]
                result.append(NameMatch(doc_id, source, title, len(phrase), surface))
        return result

    def correction(self, word: str) -> str | None:
        """The name word a misspelt word stands for ("boulenger" -> "boulanger"), if one is close."""
        folded = fold(word)
        if len(folded) < 5 or not folded.isalpha():
            return None
        tokens = tokenize(folded)
        if not tokens or tokens[0] in self.known:
            return None
        limit = 1 if len(folded) <= 7 else 2
        best = process.extractOne(folded, self.name_words, scorer=Levenshtein.distance, score_cutoff=limit)
        return best[0] if best and best[0] != folded else None


def gendered_pairs(names: Sequence[str]) -> dict[str, str]:
    """Feminine -> masculine words of a fiche's labels ("développeuse" -> "développeur"), found by
    aligning its names word by word: two labels of the same length whose words differ only by a
    gendered ending."""
    pairs: dict[str, str] = {}
    split = [name.split() for name in names]
    for first in split:
        for second in split:
            if first is second or len(first) != len(second):
                continue
            for a, b in zip(first, second):
                fa, fb = fold(a), fold(b)
                if fa != fb and len(fa) > len(fb) >= 3 and fa[:3] == fb[:3] and tokenize(fa) == tokenize(fb):
                    pairs[fa] = b  # the longer form is the feminine one: -euse/-eur, -ière/-ier, -e…
    return pairs


class VocabularyCache:
    """The vocabulary of an index, rebuilt when the index version changes."""

    def __init__(self, index: KnowledgeIndex) -> None:
        self.index = index
        self._vocabulary: Vocabulary | None = None
        self._lock = threading.Lock()

    def get(self) -> Vocabulary:
        with self._lock:
            if self._vocabulary is None or self._vocabulary.version != self.index.version:
                self._vocabulary = Vocabulary.from_index(self.index)
            return self._vocabulary


def search_form(expansion: str) -> str:
    """An expansion without its explanation in parentheses, as search reads it."""
    return _PARENTHESES.sub("", expansion).strip()
