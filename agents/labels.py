"""From the first answer token's log-probabilities to a distribution over labels.

A model asked for one word puts its belief on the tokens that can start each label
(" billing", "bill", "Billing"); summing them per label and normalising gives a
probability the workflow can weigh and the evaluation can calibrate, which a number
the model writes about itself is not.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from models.agent_output import CallRecord

MIN_LABEL_MASS = 0.05
"""Below this total the model meant some other word: the distribution is not trusted."""


@dataclass(frozen=True)
class Labelled:
    probabilities: dict[str, float]
    from_logprobs: bool
    record: CallRecord


def _matches(token: str, label: str) -> bool:
    word = token.strip().lower()
    return len(word) >= 2 and (label.startswith(word) or word.startswith(label))


def label_distribution(
    alternatives: Sequence[tuple[str, float]], labels: Sequence[str]
) -> dict[str, float] | None:
    """`alternatives` are (token, logprob) at the first position; None without enough
    mass on the labels."""
    mass = {label: 0.0 for label in labels}
    for token, logprob in alternatives:
        for label in labels:
            if _matches(token, label):
                mass[label] += math.exp(logprob)
                break
    total = sum(mass.values())
    if total < MIN_LABEL_MASS:
        return None
    return {label: round(value / total, 4) for label, value in mass.items()}
