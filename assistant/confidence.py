"""Calibrated confidence: the probability that the draft's first source answers the need.

A logistic regression over what retrieval says of the best candidate (the reranker's
probability and its margin over the second, its passage similarity, how much of the need's
words it covers, whether the search steps agree on it, the intent) is fitted on the `train`
splits (`python -m evals.train_confidence`), then calibrated by isotonic regression on
out-of-fold predictions, so that "0.8" means right about 8 times in 10. The abstention
threshold is chosen on `train` too. Everything here reads the need, never the profile:
"j'habite en Seine-Saint-Denis" and "j'habite à Neuilly" get the same confidence.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from assistant.logistic import Logistic
from assistant.understanding import Understanding
from knowledge.lexical import fold, tokenize
from knowledge.types import Hit

MODEL = Path(__file__).parent / "models" / "confidence.json"
ABSTAIN_BELOW = 0.5  # used only without a model file

# What the knowledge base never holds: amounts and fees, this year's exact dates, the number of
# places somewhere, one person's own file. Read on the need (not the profile).
ASKS_AMOUNT = re.compile(r"\b(?:combien\s+(?:ca\s+)?(?:coute|coutent|paye|payer|faut\s+payer)|montant|tarif|prix|frais\s+de|"
                         r"\d+\s*(?:€|euros?)|cout\b|coute\b)")
ASKS_DATE = re.compile(r"\b(?:quelle\s+date|quand\s+(?:est|sont|sera|seront|tombe|commence|ouvre|ferme)|date\s+exacte|"
                       r"(?:cette|l')\s*annee|20[2-3]\d|jour\s+exact|a\s+quelle\s+heure)\b")
ASKS_COUNT = re.compile(r"\b(?:combien\s+de\s+(?:places|candidats|admis|inscrits|eleves|etudiants)|nombre\s+de\s+places|"
                        r"taux\s+(?:d'admission|de\s+reussite)|classement\s+de)\b")
# "à Lyon 2", "l'IUT de Lannion", "université Paris-Saclay": a precise place or establishment is asked about
PLACE_NAMED = re.compile(r"\b(?:à|a|de|du|en)\s+(?!Parcoursup|Mon\b|Master\b)[A-ZÉÈ][\wéèêëàâîïôöûüç'-]+")
OWN_FILE = re.compile(r"\b(?:mon|ma|son|sa)\s+(?:dossier|candidature|rang|classement|note|moyenne|cas)\b|pourquoi\s+(?:j'ai|il\s+a|elle\s+a|je\s+suis|on\s+m'a)"
                      r"|(?:refuse|refusee|recale|recalee)\b")


def confidence_features(understood: Understanding, hits: Sequence[Hit]) -> dict[str, float]:
    """What the confidence model reads of a retrieval (best candidate first)."""
    top = hits[0]
    second = hits[1].score if len(hits) > 1 else 0.0
    signals = top.signals
    need = set(tokenize(understood.query))
    folded = fold(understood.need)
    found = set(tokenize(" ".join((top.title, *top.names, *(p.text for p in top.passages)))))
    return {
        "rerank": top.score,
        "margin": top.score - second,
        "dense": signals.get("dense", top.similarity),
        "dense_share": signals.get("dense_share", 0.0),
        "names": signals.get("names_share", 0.0),
        "records": signals.get("records_share", 0.0),
        "lexical": signals.get("lexical_share", 0.0),
        "coverage": len(need & found) / len(need) if need else 0.0,
        "agree_fused": float(signals.get("fused_rank", 99.0) == 1.0),
        "agree_dense": float(signals.get("dense_rank", 99.0) == 1.0),
        "agree_records": float(signals.get("records_rank", 99.0) == 1.0),
        "out_of_scope": float(understood.intent == "hors_sujet"),
        "need_words": min(len(need), 20) / 20.0,
        "source_oscar": float(top.source == "oscar"),
        "source_ideo_metier": float(top.source == "ideo-metier"),
        "asks_amount": float(bool(ASKS_AMOUNT.search(folded))),
        "asks_date": float(bool(ASKS_DATE.search(folded))),
        "asks_count": float(bool(ASKS_COUNT.search(folded))),
        "own_file": float(bool(OWN_FILE.search(folded))),
        "names_a_place": float(bool(PLACE_NAMED.search(understood.need))),
    }


@dataclass(frozen=True)
class ConfidenceModel(Logistic):
    """A logistic regression and its isotonic calibration, read from a JSON file."""

    calibration_x: tuple[float, ...]  # raw probabilities (increasing) …
    calibration_y: tuple[float, ...]  # … and the calibrated ones
    abstain_below: float
    reliable_from: float  # "fiable" from this calibrated probability

    @classmethod
    def load(cls, path: Path = MODEL) -> "ConfidenceModel":
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(**Logistic.fields(data), calibration_x=tuple(data["calibration"]["x"]),
                   calibration_y=tuple(data["calibration"]["y"]), abstain_below=data["abstain_below"],
                   reliable_from=data["reliable_from"])

    def raw(self, row: dict[str, float]) -> float:
        return self.probability(row)

    def score(self, understood: Understanding, hits: Sequence[Hit]) -> float:
        """Calibrated probability that `hits[0]` answers; 0 without a candidate."""
        if not hits:
            return 0.0
        raw = self.raw(confidence_features(understood, hits))
        if not self.calibration_x:  # the regression is its own (Platt) calibration
            return raw
        return float(np.interp(raw, self.calibration_x, self.calibration_y))


def load_confidence(path: Path = MODEL) -> ConfidenceModel | None:
    return ConfidenceModel.load(path) if path.exists() else None


def in_words(score: float, abstained: bool, reliable_from: float) -> str:
    """The confidence as a counsellor reads it (the number is shown on hover)."""
    if abstained:
        return "pas de réponse validée"
    return "fiable" if score >= reliable_from else "à vérifier"
