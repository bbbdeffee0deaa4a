"""Is a sentence grounded in a source text? A deterministic word-overlap test.

Agents cite sources (a page URL, a fact id); this checks the citation instead of
trusting it: most content words of the sentence (compared by their first five
letters, so "warehouses" matches "warehouse") must occur in the cited text. Crude
by design: it cannot be talked out of its answer, and a false alarm only means a
person looks at the draft.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

WORD = re.compile(r"[a-z0-9]+")
SOURCE_NOTE = re.compile(r"\((source|from):[^)]*\)|\[[CP]\d+\]", re.I)
GLUE = frozenset(
    "that this with from have your you about they their them been into what which when where "
    "also just like love great saw seen noticed read reading website site page could would "
    "should might help helps helping team teams flowdesk automate automation workflow workflows "
    "interested interest hear heard know share sharing looks looking company business".split()
)
"""Words a sales sentence uses whatever the facts are; they prove nothing either way."""


def _stem(word: str) -> str | None:
    return word[:5] if len(word) >= 4 and word not in GLUE else None


def stems(text: str) -> set[str]:
    words = WORD.findall(SOURCE_NOTE.sub(" ", text).lower())
    return {s for s in map(_stem, words) if s}


def words_with(text: str, wanted: Iterable[str]) -> list[str]:
    """The words of `text` whose stems are `wanted`, once each, in their order."""
    keep = set(wanted)
    return list(dict.fromkeys(w for w in WORD.findall(text.lower()) if _stem(w) in keep))


MIN_COVERAGE = 0.5
"""Share of the question's words that the cited sources know and the reply must use: a
reply grounded in the right article can still answer something else."""
MIN_SHARED_WORDS = 2
"""One word in common ("tickets") cannot show that an article answers a question: on the
development set, unanswerable questions were answered from an article sharing one word."""
COVERAGE_IGNORE = stems(
    "after before again already still other every right away over under need needed "
    "question questions steps plan plans thing things able work works working happen"
)
"""Words a question and an article share whatever the subject; they say nothing of what
was asked."""


def unquoted(text: str) -> str:
    """The writer's own words: quoted lines of an earlier message are not their question."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))


@dataclass(frozen=True)
class Coverage:
    """Which of the question's words (stems) the sources know, and which the reply leaves out."""

    asked: frozenset[str]
    missing: frozenset[str]

    @property
    def measurable(self) -> bool:
        return len(self.asked) >= MIN_SHARED_WORDS

    @property
    def answered(self) -> bool:
        return self.measurable and len(self.missing) / len(self.asked) <= 1 - MIN_COVERAGE


def coverage(question: str, sources: str, reply: str) -> Coverage:
    asked = (stems(unquoted(question)) & stems(sources)) - COVERAGE_IGNORE
    return Coverage(asked=frozenset(asked), missing=frozenset(asked - stems(reply)))


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


INSTRUCTIONS = re.compile(
    r"ignore (all |any )?(previous|prior|above) (instructions|rules)|disregard (the|all|your)"
    r"|^\s*(system|assistant)\s*:|you are now|reveal (your|the) (system )?prompt"
    r"|(auto[- ]?send|mark (this|it) as)|high confidence|new instructions"
    r"|\b(ai|llm|language model) (assistant|agent|model)s?\b|tell (the|your) readers?\b",
    re.I | re.M,
)
"""Text addressed to a model rather than a reader: never in a reply, never a citable fact."""
