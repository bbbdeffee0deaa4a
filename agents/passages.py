"""What the drafter is shown of an article: all of it when it is short, otherwise the
passages that bear on the customer's question; and, for a second try, only the passages
about what the first draft left out.

A small model writes from whichever sentences it happens to pick, whatever the prompt
says about choosing: on the development set the embedded model answered "where do I
download invoices" with the article's sentence about issue dates, and most safe answers
that reached a person did so because the reply left out what was asked. Shown only the
two passages that carry the missing words, it answered 37 of the 48 English safe cases
in a form every check passed, against 30 with the whole article alone.

Words count by rarity inside the article: a word every passage uses (the product's
name, "settings") says little about which passage answers.
"""

import re
from collections import Counter

from policy.checks.grounding import WORD, stems

MAX_PASSAGES = 5
MAX_CHARS = 1500
"""What the drafter sees of one article: enough for a procedure, little enough to copy
from the right place. A longer article is shown as its best `MAX_PASSAGES` passages."""
FOCUS_PASSAGES = 2
"""Passages a second draft sees: the fewer there are, the less a small model strays."""
PASSAGE_SPLIT = re.compile(r"\n+|(?<=[.!?])\s+(?=[A-Z0-9*\"'(])")


def passages(text: str) -> list[str]:
    """Lines of the article, paragraphs cut into sentences; list items stay whole."""
    return [p.strip() for p in PASSAGE_SPLIT.split(text) if len(WORD.findall(p.lower())) >= 2]


def shown(question: str, text: str) -> str:
    """The article for a first draft: whole when it fits, else what bears on the question."""
    return text if len(text) <= MAX_CHARS else relevant(question, text)


def relevant(question: str, text: str, keep: int = MAX_PASSAGES) -> str:
    """The article's passages sharing the question's words, best `keep` kept in their
    original order (a procedure keeps its steps' order); its opening when none shares one."""
    parts = passages(text)
    asked = stems(question)
    found = [stems(p) & asked for p in parts]
    spread = Counter(w for words in found for w in words)
    weight = [sum(1 / spread[w] for w in words) for words in found]
    ranked = sorted((i for i, w in enumerate(weight) if w > 0), key=lambda i: (-weight[i], i))
    chosen = sorted(ranked[:keep])
    if not chosen:
        return text[:MAX_CHARS]
    return "\n".join(parts[i] for i in chosen)[:MAX_CHARS]
