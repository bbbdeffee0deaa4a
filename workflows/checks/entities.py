"""The checkable facts in a reply: links, addresses, phone numbers, amounts, dates, numbers.

A reply may only state such a fact when a cited source (or the configured allowlist)
states it too; a model cannot invent a price, a deadline or a link that way. Matching
is on a normalised form (lower case, thousands separators and dash variants folded,
small number words as digits), so "1,200" matches "1200" and "two months" matches
"2 months", but "48 hours" never matches "24 hours".
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20",
    "thirty": "30", "sixty": "60", "hundred": "100",
}  # fmt: skip
MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
UNITS = r"(?:business |working )?(?:second|minute|hour|day|week|month|year)s?"

KINDS: dict[str, re.Pattern[str]] = {
    "email address": re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    "link": re.compile(
        r"\b(?:https?://|www\.)[^\s<>()\"']+|\b(?:[a-z0-9_-]+\.)+(?:[a-z]{2,24})(?:/[^\s<>()\"']*)?",
        re.I,
    ),
    "phone number": re.compile(r"(?<![\w.])\+?\d[\d ()./-]{6,}\d(?![\w.])"),
    "amount": re.compile(
        r"[$€£¥]\s?\d[\d,.]*|\b\d[\d,.]*\s?(?:usd|eur|gbp|chf|dollars?|euros?|pounds?|€|\$)",
        re.I,
    ),
    "percentage": re.compile(r"\b\d[\d,.]*\s?(?:%|percent\b|per cent\b)", re.I),
    "duration": re.compile(
        rf"\b(?:\d+|{'|'.join(NUMBER_WORDS)})(?:\s?[-–—]\s?\d+)?\s+{UNITS}\b", re.I
    ),
    "date": re.compile(
        rf"\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\b"
        rf"|\b(?:{MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}(?:st|nd|rd|th)? (?:of )?(?:{MONTHS})\b"
        rf"|\b(?:{WEEKDAYS})\b|\b(?:today|tomorrow|tonight|end of (?:the )?(?:day|week))\b",
        re.I,
    ),
    "number": re.compile(r"\b\d[\d,.]*\b"),
}
"""Checked in this order; a span claimed by an earlier kind is not counted again."""


@dataclass(frozen=True)
class Entity:
    kind: str
    text: str


def normalise(text: str) -> str:
    folded = re.sub(r"[–—−]", "-", text.lower())
    folded = re.sub(r"(?<=\d),(?=\d{3}\b)", "", folded)
    folded = re.sub(r"\s*-\s*", "-", folded)
    words = re.sub(
        r"\b(" + "|".join(NUMBER_WORDS) + r")\b", lambda m: NUMBER_WORDS[m.group(1)], folded
    )
    return " ".join(words.split())


def entities(text: str) -> list[Entity]:
    """Every checkable fact in `text`, each span counted once under its most specific kind."""
    taken: list[tuple[int, int]] = []
    found: list[Entity] = []
    for kind, pattern in KINDS.items():
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and end > t_start for t_start, t_end in taken):
                continue
            value = match.group(0).rstrip(".,;:!?")
            if kind == "link" and not _looks_like_host(value):
                continue
            taken.append((start, end))
            found.append(Entity(kind, value))
    return found


def _looks_like_host(value: str) -> bool:
    """'Settings.Billing' or 'e.g' are not hosts; a link has a scheme, www, or a dotted
    lower-case name whose last label is alphabetic."""
    if value.lower().startswith(("http://", "https://", "www.")):
        return True
    host = value.split("/", 1)[0]
    return host == host.lower() and host.rsplit(".", 1)[-1].isalpha()


def host_of(link: str) -> str:
    bare = re.sub(r"^(?:https?://)?(?:www\.)?", "", link.lower())
    return re.split(r"[/:?#]", bare, maxsplit=1)[0]


def unsourced(text: str, sources: Iterable[str], allow: Iterable[str] = ()) -> list[Entity]:
    """The facts in `text` that no source states and the allowlist does not cover. An
    allowlisted host covers links to it and its subdomains; other entries match exactly."""
    evidence = normalise(" ".join(sources))
    allowed = {normalise(a) for a in allow}
    missing: list[Entity] = []
    for entity in entities(text):
        value = normalise(entity.text)
        if value in evidence or value in allowed:
            continue
        if entity.kind == "link" and any(
            host_of(value) == a or host_of(value).endswith("." + a) for a in allowed
        ):
            continue
        missing.append(entity)
    return missing
