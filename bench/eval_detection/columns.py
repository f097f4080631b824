"""Column-level scoring: found / typed right / false positives, per corpus and per truth class."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from corpora import ANY, NONE, SKIP, Corpus, Truth


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    typed: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def typed_share(self) -> float:
        return self.typed / self.tp if self.tp else 0.0


def truth_class(truth: Truth) -> str:
    if isinstance(truth, str):
        return truth
    return "/".join(sorted(truth))[:28]


def score(corpus: Corpus, found: Mapping[str, list[str]], per_class: dict[str, Score] | None = None) -> Score:
    """``found``: column -> the entities a tool lists for it, best first."""
    total = Score()
    for column, truth in corpus.truth.items():
        if truth == SKIP:
            continue
        entities = found.get(column, [])
        cls = per_class.setdefault(truth_class(truth), Score()) if per_class is not None else Score()
        for s in (total, cls):
            if truth == NONE:
                if entities:
                    s.fp += 1
                    s.misses.append(f"{column}: false {entities[0]}")
            elif entities:
                s.tp += 1
                if truth == ANY or entities[0] in truth:
                    s.typed += 1
                else:
                    s.misses.append(f"{column}: typed {entities[0]}")
            else:
                s.fn += 1
                s.misses.append(f"{column}: missed")
    return total
