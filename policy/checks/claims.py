"""Does a sentence about a company say only what the facts it cites say? Word for word.

The outreach email's one personal sentence must rest on the research points it
cites: every number and every capitalised word (a name, a place, a product) must be a
whole token of those points ("2 days" is not in "12 days", "Riga" not in "Rigas"),
most of its content words must come from them, and it may not repeat the lead's own
message, link anywhere, talk money or read like an instruction. Used twice: by the
draft activity to choose between the model's sentence and the page's own, and by the
workflow's checks, which trust neither.
"""

import re
from collections.abc import Iterable

from policy.checks.grounding import INSTRUCTIONS, echoes, stems, support, words_with

MIN_LINE_SUPPORT = 0.6
"""Share of the sentence's content words its cited facts must contain."""
MIN_FACT_KEPT = 0.75
"""Share of its fact's content words a rewrite must keep: "Our arms run in 40 warehouses"
rewritten as "Northwind has 40 warehouses" keeps the numbers and changes the fact."""
MAX_LINE_WORDS = 45
ECHO_WORDS = 5
"""A run of this many of the lead's own words is an echo of their message, not news."""
OWNED_SUBJECT = re.compile(r"^(?:our|your|their)\s+([\w-]+)", re.I)
"""A fact about something the company has ("Our arms run in 40 warehouses"): a rewrite
that drops that word ("Northwind has 40 warehouses") says something else."""
REPEAT = 4
"""A run of this many words said twice in one sentence is a small model looping."""
TOKEN = re.compile(r"[^\W_]+(?:[.,'’-][^\W_]+)*")
COMMON_CAPITALS = frozenset(
    "I I'm I've You Your You're We Our The A An It Its This That They Their There It's Re "
    "If When As At In On For With From And But So Since After Before Just Now Here Not No "
    "Yes Would Could Can Do Does Is Are Was What How Why Who Where Please Thanks Every All "
    "Sie Ihr Ihre Ihrem Ihren Ihrer Wir Unser Unsere Der Die Das Ein Eine Es Und Mit Für "
    "Vous Votre Vos Nous Notre Le La Les Un Une Et Avec Pour".split()
)
"""Capitalised words that name nothing: pronouns, articles and other small words that
start a sentence, in the languages the fixed copy is written in."""
FIRST_PERSON = re.compile(r"\b(we|we're|we've|our|ours|us|wir|unser\w*|uns|nous|notre|nos)\b", re.I)
"""The company's own voice copied from its page: in our email "we" is Flowdesk."""
CONTACT = re.compile(
    r"https?://|www\.|@|\b[\w-]+\.(?:com|net|org|io|de|fr|example)\b|\+?\d[\d ()/-]{7,}\d", re.I
)
"""A link, an address or a phone number: an email to a company needs none of its own."""
MONEY = re.compile(
    r"[$€£]|\d ?% off|\b(price[sd]?|pricing|discount\w*|coupon|voucher|rabatt\w*|preis\w*|prix"
    r"|remise)\b",
    re.I,
)
"""Prices and discounts are a person's call in outreach, whoever's they are."""


def tokens(text: str) -> set[str]:
    return {t.lower() for t in TOKEN.findall(text)}


def unsupported_terms(sentence: str, facts: Iterable[str], free: Iterable[str] = ()) -> list[str]:
    """Numbers and capitalised words of `sentence` that no fact contains as a whole token;
    `free` words (the company's and lead's names, the fixed copy) are always allowed."""
    known = set().union(*(tokens(f) for f in facts)) | tokens(" ".join(free))
    known |= {w.lower() for w in COMMON_CAPITALS}
    known |= {w.rstrip("s") for w in known if not w[:1].isdigit()}
    found: list[str] = []
    for token in TOKEN.findall(sentence):
        checked = _name_or_number(token)
        if checked and not _known(token.lower(), known) and token not in found:
            found.append(token)
    return found


def _name_or_number(token: str) -> bool:
    """A number, or a word with a capital anywhere ("Riga", "iPort", "BW-Flex")."""
    return any(c.isdigit() or c.isupper() for c in token)


def _known(token: str, known: set[str]) -> bool:
    """The token, or each part of a hyphenated one, in `known`; a word also without its
    plural "s" ("picking-arm" is in "picking arms") or its apostrophe ending ("You've",
    "Leeds's"). Numbers only exactly."""
    if token in known:
        return True
    if any(c.isdigit() for c in token):
        return False
    parts = re.split(r"-", re.split(r"['’]", token)[0])
    return all(p in known or p.rstrip("s") in known for p in parts if p)


def dropped_terms(sentence: str, facts: list[str]) -> list[str]:
    """Numbers and names inside the facts that a rewrite left out: "Our second depot, at
    Doncaster iPort, opened in April" became "Kestrelway Freight opened in April"."""
    said = tokens(sentence)
    found: list[str] = []
    for fact in facts:
        inside = TOKEN.findall(fact)[1:]
        found += [
            t for t in inside
            if _name_or_number(t) and t not in COMMON_CAPITALS and t.lower() not in said
        ]  # fmt: skip
    return list(dict.fromkeys(found))


def line_problems(
    sentence: str, facts: list[str], company: str, message: str, quoting: bool = False
) -> list[str]:
    """What is wrong with the personal sentence, one readable line each; [] when it holds.
    `quoting`: the sentence will be shown in quotes as the page's, so its "we" is theirs."""
    problems = [
        f"mentions {term!r}, which no page it cites says"
        for term in unsupported_terms(sentence, facts, company.split())
    ]
    if support(sentence, "\n".join(facts), stems(company)) < MIN_LINE_SUPPORT:
        problems.append("says more about the company than the pages it cites")
    if message.strip() and echoes(sentence, message, ECHO_WORDS):
        problems.append("repeats the lead's own message back to them")
    left_out = [w for f in facts for w in words_with(f, stems(f) - stems(sentence))]
    kept = 1 - len(left_out) / max(1, sum(len(stems(f)) for f in facts))
    if not quoting and kept < MIN_FACT_KEPT:
        problems.append(f"leaves out part of its fact ({', '.join(left_out[:3])})")
    subjects = [m.group(1) for f in facts if (m := OWNED_SUBJECT.match(f))]
    if not quoting and (lost := [w for w in subjects if w.lower() not in tokens(sentence)]):
        problems.append(f"leaves out what its fact is about ({lost[0]!r})")
    if not quoting and (dropped := dropped_terms(sentence, facts)):
        problems.append(
            f"leaves out {', '.join(map(repr, dropped[:3]))}: the fact may no longer hold"
        )
    if not quoting and (voice := FIRST_PERSON.search(sentence)):
        problems.append(f"says {voice.group(0)!r} for the company: our email would claim it")
    if CONTACT.search(sentence):
        problems.append("carries a link, an address or a phone number")
    if money := MONEY.search(sentence):
        problems.append(f"talks about money: {money.group(0)!r}")
    if INSTRUCTIONS.search(sentence):
        problems.append("reads like an instruction to a model")
    words = [w.lower() for w in TOKEN.findall(sentence)]
    runs = [tuple(words[i : i + REPEAT]) for i in range(len(words) - REPEAT + 1)]
    if len(set(runs)) < len(runs):
        problems.append("repeats itself")
    if len(sentence.split()) > MAX_LINE_WORDS:
        problems.append(f"the personal sentence is {len(sentence.split())} words long")
    return problems
