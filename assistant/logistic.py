"""A logistic regression over named features, read from the JSON its training script writes
(weights over standardised features): the reranker's and the confidence's common core."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Logistic:
    weights: dict[str, float]
    bias: float
    means: dict[str, float]
    scales: dict[str, float]

    @staticmethod
    def fields(data: dict) -> dict:
        """The regression's part of a model file."""
        return {"weights": data["weights"], "bias": data["bias"], "means": data["means"], "scales": data["scales"]}

    def __post_init__(self) -> None:
        names = list(self.weights)
        scales = np.array([self.scales.get(n) or 1.0 for n in names])
        # z = bias + Σ w·(x − mean)/scale, folded once into one dot product
        object.__setattr__(self, "_names", names)
        object.__setattr__(self, "_coef", np.array([self.weights[n] for n in names]) / scales)
        object.__setattr__(self, "_offset", self.bias - float(np.dot(self._coef, [self.means.get(n, 0.0) for n in names])))

    def probability(self, row: dict[str, float]) -> float:
        z = self._offset + float(np.dot(self._coef, [row.get(name, 0.0) for name in self._names]))
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))
