"""The sentences of a company's pages worth a research point, ranked without a model.

Research never lets the model write a fact: it numbers the pages' own visible
sentences (and the page's meta description), and the model may only choose among
them. This module decides which sentences it is shown: each a whole sentence of
plain prose, none twice, none that is page furniture (cookies, sign-ups, copyright),
a question, a call to action, or text addressed to a model; the most specific first
(numbers, names, places), so a small model's choice starts from the best.
"""

import re
from dataclasses import dataclass

from policy.checks.grounding import INSTRUCTIONS, WORD, stems

MIN_WORDS, MAX_WORDS = 5, 45
MAX_CANDIDATES = 12
"""Sentences the research model is shown: enough for every page read, few enough that
a 0.5B model reads them all within its context."""
NEAR_COPY = 0.8
"""Share of shared word stems above which two sentences say the same thing."""
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“„«(]?[A-ZÄÖÜÀ-Ý0-9])|\s+[|·•]\s+")
FURNITURE = re.compile(
    r"cookie|privacy|datenschutz|impressum|imprint|copyright|©|all rights reserved"
    r"|terms (of|and) (use|service|conditions)|subscribe|newsletter|sign (up|in)|log ?in"
    r"|unsubscribe|javascript|accept all|reject all|skip to|read more|learn more|click here"
    r"|weiterlesen|mehr erfahren|en savoir plus|tous droits|registered (in|office|number)"
    r"|company (number|no\b)|registration number|vat (number|no\b)|handelsregister|ust-id",
    re.I,
)
CALL_TO_ACTION = re.compile(
    r"^(contact|call|book|order|shop|get|try|request|join|visit|follow|download|buy|email"
    r"|write|send|kontakt|rufen|bestellen|jetzt|contactez)\b",
    re.I,
)
PROSE_SHARE = 0.3
"""Share of words starting in lower case below which a line is an address or a name list."""
QUOTE_MARKS = ('"', "“", "„", "«", "'", "‘")
ATTRIBUTION = re.compile(r"[\"”“»']\s*([–—-]\s*\w|[A-ZÀ-Ý][\w'-]+(,\s*[A-ZÀ-Ý][\w' -]+)?$)")
"""The end of a quoted testimonial and its author ("…on time." – Sam, Leeds)."""
ABBREVIATION = re.compile(
    r"\b(Dr|Mr|Mrs|Ms|Mx|Prof|St|Mt|Ltd|Inc|Co|Corp|No|Nr|approx|e\.g|i\.e|vs|etc|Jr|Sr)\.$"
)
NAME_INSIDE = re.compile(r"(?<=\s)[A-ZÄÖÜ][\w'-]+")


@dataclass(frozen=True)
class Candidate:
    text: str
    source_url: str
    rank: float


def sentences(block: str) -> list[str]:
    """The block cut at sentence ends, but not after a title or an abbreviation ("Dr.
    Aoife Byrne", "Smith & Co. Ltd."): a sentence cut there ends in mid-air."""
    found: list[str] = []
    for part in (p.strip() for p in SENTENCE_END.split(block) if p and p.strip()):
        if found and ABBREVIATION.search(found[-1]):
            found[-1] = f"{found[-1]} {part}"
        else:
            found.append(part)
    return found


def usable(sentence: str) -> bool:
    """Prose a person could cite: long enough, not furniture, not a question or a call
    to action, not an instruction to a model; not a postal address or a list of names
    (too few small words), not a quoted testimonial (a customer's words, not a fact)."""
    words = WORD.findall(sentence.lower())
    small = sum(w[:1].islower() for w in re.findall(r"[^\W\d_]+", sentence))
    return (
        MIN_WORDS <= len(words) <= MAX_WORDS
        and small >= PROSE_SHARE * len(words)
        and not sentence.lstrip().startswith(QUOTE_MARKS)
        and not ATTRIBUTION.search(sentence)
        and sentence.count("“") == sentence.count("”")
        and sentence.count('"') % 2 == 0
        and not sentence.rstrip().endswith(("?", ":"))
        and not FURNITURE.search(sentence)
        and not CALL_TO_ACTION.search(sentence)
        and not INSTRUCTIONS.search(sentence)
        and sum(c.isalpha() for c in sentence) >= 0.6 * len(sentence)
    )


def specificity(sentence: str, company: str) -> float:
    """How much a sentence says about this company rather than about anyone: numbers,
    names and places count most, the company's own name or voice a little."""
    names = {n for n in NAME_INSIDE.findall(sentence) if n.lower() not in company.lower()}
    score = 2.0 * bool(re.search(r"\d", sentence)) + min(len(names), 3)
    lowered = f" {sentence.lower()} "
    if company.lower() in lowered or re.search(r"\b(we|our|wir|unser\w*|nous|notre)\b", lowered):
        score += 1.0
    words = len(WORD.findall(lowered))
    return score + (1.0 if 8 <= words <= 30 else 0.0)


def rank(
    pages: list[tuple[str, list[str]]], company: str, limit: int = MAX_CANDIDATES
) -> list[Candidate]:
    """`pages` are (url, texts in page order: the meta description first, then visible
    blocks). The best `limit` usable sentences, no two alike, best first; earlier
    sentences (the home page's pitch) win ties."""
    found: list[Candidate] = []
    seen: list[set[str]] = []
    order = 0
    for url, texts in pages:
        for text in texts:
            for sentence in sentences(text):
                order += 1
                if not usable(sentence):
                    continue
                words = stems(sentence)
                if any(_alike(words, other) for other in seen):
                    continue
                seen.append(words)
                found.append(
                    Candidate(sentence, url, specificity(sentence, company) - order / 1000)
                )
    return sorted(found, key=lambda c: -c.rank)[:limit]


def _alike(one: set[str], other: set[str]) -> bool:
    if not one or not other:
        return one == other
    return len(one & other) / min(len(one), len(other)) >= NEAR_COPY
