"""Is a sentence grounded in a source text? A deterministic word-overlap test.

Agents cite sources (a page URL, a fact id); this checks the citation instead of
trusting it: most content words of the sentence (compared by their first five
letters, so "warehouses" matches "warehouse") must occur in the cited text. Crude
by design: it cannot be talked out of its answer, and a false alarm only means a
person looks at the draft.
"""

import re
from collections.abc import Iterable

WORD = re.compile(r"[a-z0-9]+")
SOURCE_NOTE = re.compile(r"\((source|from):[^)]*\)|\[[CP]\d+\]", re.I)
GLUE = frozenset(
    "that this with from have your you about they their them been into what which when where "
    "also just like love great saw seen noticed read reading website site page could would "
    "should might help helps helping team teams flowdesk automate automation workflow workflows "
    "interested interest hear heard know share sharing looks looking company business".split()
)
"""Words a sales sentence uses whatever the facts are; they prove nothing either way."""


def stems(text: str) -> set[str]:
    words = WORD.findall(SOURCE_NOTE.sub(" ", text).lower())
    return {w[:5] for w in words if len(w) >= 4 and w not in GLUE}


def support(sentence: str, source: str, free: Iterable[str] = ()) -> float:
    """Share of the sentence's content words found in `source`; `free` stems (names the
    sentence may always use) are left out. 1.0 when nothing is left to check."""
    words = stems(sentence) - set(free)
    if not words:
        return 1.0
    return len(words & stems(source)) / len(words)


def echoes(text: str, source: str, span: int = 8) -> bool:
    """True when `text` repeats `span` or more consecutive words of `source`."""
    words = WORD.findall(source.lower())
    haystack = " " + " ".join(WORD.findall(text.lower())) + " "
    return any(
        f" {' '.join(words[i : i + span])} " in haystack for i in range(len(words) - span + 1)
    )


MARKDOWN = re.compile(r"\*\*|__|`|^#{1,6}\s+|(?<!\w)\*(?=\w)|(?<=\w)\*(?!\w)", re.M)


def plain_text(body: str) -> str:
    """The reply as a plain-text email: Markdown emphasis, code marks and heading marks
    (which the articles use and small models copy) removed; list dashes kept."""
    return MARKDOWN.sub("", body).strip()
