"""The checkable facts in a reply: links, addresses, phone numbers, amounts, dates, numbers.

A reply may only state such a fact when a cited source (or the configured allowlist)
states it too; a model cannot invent a price, a deadline or a link that way. Matching
is on a normalised form (lower case, thousands separators and dash variants folded,
small number words as digits), so "1,200" matches "1200" and "two months" matches
"2 months", but "48 hours" never matches "24 hours". A fact matches only as a whole
token: "2 business days" is not stated by "12 business days", nor "$10" by "$100".
Links are compared by their canonical form (host case-folded, IDNA-encoded, without
scheme, `www.` or a trailing dot; path without a trailing slash), whatever case the
reply writes them in: "EVIL-INVOICES.COM/pdf" is a link as much as "evil-invoices.com".
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
        r"\b(?:https?://|www\.)[^\s<>()\"']+|\b(?:[\w-]+\.)+(?:[^\W\d_]{2,24})\.?(?:/[^\s<>()\"']*)?",
        re.I,
    ),
    "phone number": re.compile(r"(?<![\w.])\+?\d[\d ()./-]{6,}\d(?!\w|\.\d)"),
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
    """A link has a scheme, `www.`, or a dotted name whose last label is letters, in any
    case: a model that writes "Evil-Login.Com/reset" still wrote a link. A dotted name
    that is no host ("Settings.Billing") costs nothing when the source writes it too."""
    if value.lower().startswith(("http://", "https://", "www.")):
        return True
    host = value.split("/", 1)[0].rstrip(".")
    return host.rsplit(".", 1)[-1].isalpha()


def canonical_link(link: str) -> str:
    """Host (case-folded, IDNA, no `www.`, no trailing dot, port kept) and path."""
    bare = re.sub(r"^https?://", "", link.strip().lower())
    host = re.split(r"(?=[/?#])", bare, maxsplit=1)[0]
    rest = bare[len(host) :]
    host = host.rstrip(".").removeprefix("www.")
    name, colon, port = host.partition(":")
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    return f"{name}{colon}{port}{rest.rstrip('/')}"


def host_of(link: str) -> str:
    return re.split(r"[/:?#]", canonical_link(link), maxsplit=1)[0]


def _stated(value: str, evidence: str) -> bool:
    """`value` as a whole token of `evidence`: no digit, letter or decimal point glued
    to either end ("2 days" is not in "12 days", "$10" not in "$100" or "$10.50")."""
    pattern = rf"(?<![\w.,]){re.escape(value)}(?!\w|[.,]\d)"
    return re.search(pattern, evidence) is not None


def unsourced(text: str, sources: Iterable[str], allow: Iterable[str] = ()) -> list[Entity]:
    """The facts in `text` that no source states and the allowlist does not cover. An
    allowlisted host covers links to it and its subdomains; other entries match exactly."""
    joined = " ".join(sources)
    evidence = normalise(joined)
    allowed = {normalise(a) for a in allow}
    links = {canonical_link(e.text) for e in entities(joined) if e.kind == "link"}
    hosts = {host_of(link) for link in links}
    missing: list[Entity] = []
    for entity in entities(text):
        value = normalise(entity.text)
        if entity.kind == "link":
            if _link_sourced(canonical_link(value), links, hosts, allowed):
                continue
        elif _stated(value, evidence) or value in allowed:
            continue
        missing.append(entity)
    return missing


def _link_sourced(link: str, links: set[str], hosts: set[str], allowed: set[str]) -> bool:
    """The same link as a source's, a bare host a source links to, or an allowlisted
    host or one of its subdomains."""
    host = host_of(link)
    if link in links or (link == host and host in hosts):
        return True
    return any(host == host_of(a) or host.endswith("." + host_of(a)) for a in allowed)
