"""French lexical index: BM25 (bm25s) over accent-folded, gender-folded, stemmed tokens.

Pupils type without accents and with the feminine title ("infirmiere", "boulangère"); the
Snowball French stemmer alone gives "infirmi" vs "infirmier" for those, so tokens are folded
(accents dropped, common feminine endings turned masculine) before stemming.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_FRENCH

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG

_TOKEN = re.compile(r"\w+", re.UNICODE)
# The feminine ending of inclusive titles ("contrôleur/euse aérien/ne"): the masculine stays.
_INCLUSIVE_SUFFIX = re.compile(
    r"(?<=\w)/(?:e|ne|le|se|te|fe|euse|rice|trice|ère|ere|ienne|enne|ive|esse|eresse)\b", re.IGNORECASE
)
# Feminine endings -> masculine, longest first ("-trice" before "-ice" would be wrong).
_GENDER_FOLD = (
    ("trices", "teurs"), ("trice", "teur"),
    ("euses", "eurs"), ("euse", "eur"),
    ("ieres", "iers"), ("iere", "ier"),
    ("ennes", "ens"), ("enne", "en"),
    ("ives", "ifs"), ("ive", "if"),
    ("eres", "ers"), ("ere", "er"),
    ("ees", "es"), ("ee", "e"),
)
# Chat shorthand and elisions that carry no meaning for retrieval.
_EXTRA_STOPWORDS = {
    "jsuis", "suis", "veux", "voudrais", "faire", "fait", "faut", "peut", "peux", "quoi", "comment",
    "quel", "quelle", "quels", "quelles", "est", "etre", "svp", "bonjour", "merci", "stp", "c", "j",
    "d", "l", "qu", "n", "s", "t", "m", "y", "a", "ca", "cest", "koi", "ke", "pr", "pk", "pourquoi",
    "devenir", "metier", "metiers", "job", "travail", "travailler",
}


def _accentless(character: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", character) if not unicodedata.combining(c))


# Latin letters with diacritics -> without (one C-level `translate` instead of a per-character loop)
_FOLD_TABLE = {code: _accentless(chr(code)) for code in range(0xC0, 0x250) if _accentless(chr(code)) != chr(code)}


def fold(text: str) -> str:
    """Lowercase and drop accents.

    >>> fold("Élève Ingénieure à Besançon")
    'eleve ingenieure a besancon'
    """
    lowered = text.lower().translate(_FOLD_TABLE)
    if lowered.isascii():
        return lowered
    return "".join(c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c))


_STOPWORDS = frozenset({fold(w) for w in STOPWORDS_FRENCH} | _EXTRA_STOPWORDS)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("french")


@lru_cache(maxsize=50_000)
def _normalise_word(word: str) -> str:
    if len(word) > 5:
        for feminine, masculine in _GENDER_FOLD:
            if word.endswith(feminine):
                word = word[: -len(feminine)] + masculine
                break
    return _stemmer().stemWord(word)


def _kept(word: str) -> bool:
    return word not in _STOPWORDS and (len(word) >= 3 or not word.isdigit())


def tokenize(text: str) -> list[str]:
    """French retrieval tokens: folded, stop words removed, gender-folded, stemmed."""
    words = _TOKEN.findall(fold(_INCLUSIVE_SUFFIX.sub("", text)))
    return [_normalise_word(word) for word in words if _kept(word)]


def tokenize_with_spans(text: str) -> list[tuple[str, int, int]]:
    """`tokenize`, each token with the span of its word in `text` (which it reads folded)."""
    folded = fold(text)
    offsets_kept = len(folded) == len(text)
    return [(_normalise_word(m.group(0)), m.start(), m.end()) if offsets_kept else (_normalise_word(m.group(0)), 0, 0)
            for m in _TOKEN.finditer(folded) if _kept(m.group(0))]


class LexicalIndex:
    """BM25 over texts with ids (chunks, or whole documents), saved next to the vector store,
    tagged with the index version."""

    def __init__(self, bm25: bm25s.BM25, chunk_ids: list[str], version: int) -> None:
        self._bm25 = bm25
        self.chunk_ids = chunk_ids
        self.version = version
        self._position = {chunk_id: i for i, chunk_id in enumerate(chunk_ids)}

    @classmethod
    def build(cls, chunk_ids: Sequence[str], texts: Sequence[str], version: int) -> "LexicalIndex":
        bm25 = bm25s.BM25(k1=1.2, b=0.75)
        corpus_tokens = [tokenize(text) or ["_"] for text in texts]
        if corpus_tokens:
            bm25.index(corpus_tokens, show_progress=False)
        return cls(bm25, list(chunk_ids), version)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        if self.chunk_ids:
            self._bm25.save(str(directory), show_progress=False)
        meta = {"version": self.version, "chunk_ids": self.chunk_ids}
        tmp = directory / "chunks.json.tmp"
        tmp.write_text(json.dumps(meta), encoding="utf-8")
        tmp.replace(directory / "chunks.json")

    @staticmethod
    def load_version(directory: Path) -> int | None:
        meta_path = directory / "chunks.json"
        if not meta_path.exists():
            return None
        return int(json.loads(meta_path.read_text(encoding="utf-8"))["version"])

    @classmethod
    def load(cls, directory: Path) -> "LexicalIndex | None":
        meta_path = directory / "chunks.json"
        if not meta_path.exists():
            return None
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if not meta["chunk_ids"]:
            return cls(bm25s.BM25(), [], meta["version"])
        bm25 = bm25s.BM25.load(str(directory), show_progress=False)
        return cls(bm25, meta["chunk_ids"], meta["version"])

    def scores(self, query: str, allowed: np.ndarray | None = None) -> np.ndarray | None:
        """BM25 score of every entry for `query` (None when no query token is indexed)."""
        tokens = tokenize(query)
        if not tokens or not self.chunk_ids:
            return None
        vocab = self._bm25.vocab_dict
        ids = [vocab[t] for t in tokens if t in vocab]
        if not ids:
            return None
        scores = self._bm25.get_scores(ids)
        return scores * allowed if allowed is not None else scores

    def vocabulary(self) -> list[str]:
        """Every token this index holds."""
        return list(self._bm25.vocab_dict) if self.chunk_ids else []

    def position(self, entry_id: str) -> int | None:
        return self._position.get(entry_id)

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk_id, score); `allowed` is a 0/1 mask over chunks for filters."""
        scores = self.scores(query, allowed)
        if scores is None:
            return []
        return self.top(scores, k)

    def top(self, scores: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The k best (entry id, score) of a score array, best first, zeros left out."""
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.chunk_ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def mask(self, chunk_ids: set[str]) -> np.ndarray:
        allowed = np.zeros(len(self.chunk_ids), dtype=np.float32)
        for chunk_id in chunk_ids:
            position = self._position.get(chunk_id)
            if position is not None:
                allowed[position] = 1.0
        return allowed
