"""What a mail asks: the sender's own words, the sentences that ask, and which of their
words the knowledge base never uses.

A reply grounded in an article can still answer another question: asked whether users
are provisioned through SCIM, a model shown the single sign-on article writes a correct
sentence about single sign-on. The words that betray it are the question's own: "SCIM"
and "provisioning" occur in no article. This module finds the sentences that ask something
(a question mark, or a request such as "please send", "we need") and, among their
words, those that no article uses (the index's own stemming decides, so "retrying" is
known when an article says "retried"). Each such word is weighted by how specific it is
in general English (wordfreq's Zipf scale): "really" or "happens" weigh nothing, "SCIM",
"Zapier" or a word no dictionary knows weigh most. Numbers ("60k", "2am") are
quantities, not what is asked about, and weigh nothing. The same weights say how much
of the question each article covers, so a question whose words one article covers and
the cited one does not shows its neighbour. A name is read by its spelling instead:
"notifications in Teams" names a product that an article saying "for members of one or
more teams" never mentions, though every word is in the index; so the names a question
uses (words capitalised inside a sentence) are looked up as written. The answer check
(`policy.checks.answer`) turns the weights and the names into a decision.

The sender's own words (quoted history, reply headers and the signature cut) are also
what the knowledge-base search reads.
"""

import re
from collections.abc import Callable, Iterable

from wordfreq import zipf_frequency

from models.support import AskedPart, AskedTerm, QuestionCoverage

REPLY_HEADER = re.compile(
    r"^(?:On[ \t][^\n]{0,300}?(?:\n[^\n]{0,300}?)?\bwrote:"
    r"|(?i:-{2,}[ \t]*original message[ \t]*-{2,}))\s*$",
    re.M,
)
SIGN_OFF = re.compile(
    r"^\s*(--\s*$|(thanks|thank you|many thanks|best|regards|kind regards|best regards|cheers"
    r"|sincerely|greetings|viele grüße|saludos|cordialement|cordiali saluti|met vriendelijke"
    r" groet)\b[^\n.?]{0,24}$)",
    re.I | re.M,
)
"""Where the signature starts: names, titles and phone numbers are not the question."""
MAX_QUERY_CHARS = 2000
COMMON_ZIPF = 5.5
"""Words at least this frequent in English (Zipf 5.5: "really", "happen", "week") say
nothing of what was asked; a rarer word weighs the difference."""
SHORT_QUESTION_WORDS = 4
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
SOFT_BREAK = re.compile(r"(?<=[\w,])[ \t]*\n(?=[^\W\d_])")
"""A line break inside a sentence (prose wrapped at 72 columns): the sentence goes on.
Only between a line ending in a word or a comma and one starting with a letter: a quote,
a bullet, a numbered item, an indented or a log line (a timestamp) starts its own."""
ASKS = re.compile(r"\?(?=[\s\"'”’)\]!.,;:]|$)")
"""A question mark that ends a question, not one inside a link's query string."""
GREETING = re.compile(
    r"\A\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings)\b[^,!\n]{0,40}[,!]",
    re.I,
)
"""The salutation ("Hi Sarah,"): whom the mail is addressed to is not what it asks."""
CLAUSE = re.compile(r"(?<=[.!?:;)])\s+|\n+")
"""Where a word is capitalised because a sentence, a label ("Subject: ...") or a run-on
after a smiley (":) Unfortunately...") starts."""
CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april"
    " may june july august september october november december".split()
)
"""Capitalised by English spelling, not because they name what was asked about."""
TOKEN = re.compile(r"\b(?=[^\W_]*[^\W\d_])[^\W_]+(?:['’][^\W_]+)*")
"""A word with at least one letter, apostrophes kept ("doesn't"): "2FA" and "S3" are
words, "2026" is not."""
PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|tr|rv|sv)\s*:\s*)+", re.I)
REQUEST = re.compile(
    r"^(how|what|where|when|why|which|who|can|could|is|are|do|does|did|will|would|should"
    r"|may|might|please|kindly|i need|we need|i'd like|we'd like|i would like|we would like"
    r"|i want|we want|is there|are there|help)\b|\b(let (me|us) know|tell (me|us)|advise)\b",
    re.I,
)
"""A sentence that asks without a question mark ("Please send me the invoice")."""


def sender_text(text: str) -> str:
    """Only the sender's own words, capped, so a long thread or padding cannot steer the query."""
    if header := REPLY_HEADER.search(text):
        text = text[: header.start()]
    if sign_off := SIGN_OFF.search(text):
        text = text[: sign_off.start()]
    own = (line for line in text.splitlines() if not line.lstrip().startswith(">"))
    return "\n".join(own)[:MAX_QUERY_CHARS]


def question_sentences(subject: str, body: str) -> list[str]:
    """The sentences that ask: those with a question mark (a short one with the sentence
    before it), else those phrased as requests. Empty when the sender asks nothing
    ("thanks, all solved!")."""
    own = SOFT_BREAK.sub(" ", GREETING.sub("", sender_text(body), count=1))
    text = f"{subject}\n{own}"
    parts = [p.strip(" -*•\t") for p in SENTENCE.split(text) if p.strip()]
    marked = [i for i, p in enumerate(parts) if ASKS.search(p)]
    if not marked:
        return list(dict.fromkeys(p for p in parts if REQUEST.search(p)))
    with_context = [j for i in marked for j in ((i - 1, i) if _elliptic(parts[i]) else (i,))]
    return list(dict.fromkeys(parts[j] for j in with_context if j >= 0))


def _elliptic(sentence: str) -> bool:
    """A short question ("Is that possible?", "What's the catch?") asks about the sentence
    before it, which then belongs to the question."""
    return len(TOKEN.findall(sentence)) <= SHORT_QUESTION_WORDS


def _weights(text: str, skip: set[str]) -> dict[str, float]:
    found: dict[str, float] = {}
    for token in TOKEN.findall(text):
        word = token.lower()
        if len(word) >= 2 and not word[0].isdigit() and word not in skip and word not in found:
            found[word] = round(max(0.0, COMMON_ZIPF - zipf_frequency(word, "en")), 2)
    return {w: weight for w, weight in found.items() if weight > 0}


def _names(unit: str, skip: set[str]) -> list[str]:
    """Words capitalised inside a sentence: products, places, people, languages. Not the
    first word, acronyms ("SLA", "IPs": their weights judge them), a contraction's or
    possessive's ending ("I'd", "Zoltan's"), calendar words, words common in lowercase,
    and nothing of a line in Title Case ("How To Download Invoices"), where capitals
    name nothing."""
    words = TOKEN.findall(unit)
    if len(words) >= 2 and 2 * sum(w[0].isupper() for w in words) >= len(words):
        return []
    found: list[str] = []
    for clause in CLAUSE.split(unit):
        for token in TOKEN.findall(clause)[1:]:
            word = re.split(r"['’]", token)[0]
            lower = word.lower()
            if (
                word[0].isupper()
                and not word.removesuffix("s").isupper()
                and lower not in skip
                and lower not in CALENDAR
                and zipf_frequency(lower, "en") < COMMON_ZIPF
            ):
                found.append(word)
    return list(dict.fromkeys(found))


def survey(
    subject: str,
    body: str,
    sender: str,
    *,
    using: Callable[[Iterable[str]], dict[str, set[str]]],
    spelled: Callable[[Iterable[str]], set[str]],
) -> QuestionCoverage:
    """What the mail asks (its subject, which names the matter, and each sentence that
    asks; `sender_text` bounds them), how specific their words are, which of them no
    article uses, which of its names no article writes, and how much of the question's
    specificity each article's words cover. `using` names, for each word, the articles
    that use it, `spelled` the names some article writes as they are spelled; the
    sender's own name and domain are never the question."""
    asked = question_sentences(subject, body)
    if not asked:
        return QuestionCoverage(asks=False, specificity=0.0)
    units = list(dict.fromkeys(u for u in [PREFIX.sub("", subject).strip(), *asked] if u))
    skip = {w.lower() for w in TOKEN.findall(sender)}
    per_unit = [_weights(unit, skip) for unit in units]
    weights = {word: weight for each in per_unit for word, weight in each.items()}
    found = using(weights)
    names = [_names(unit, skip) for unit in units]
    written = spelled({name for each in names for name in each})
    parts = [
        AskedPart(
            specificity=round(sum(each.values()), 2),
            unknown=[AskedTerm(term=w, weight=v) for w, v in each.items() if not found[w]],
            unnamed=[name for name in named if name not in written],
        )
        for each, named in zip(per_unit, names, strict=True)
    ]
    total = sum(weights.values())
    covered: dict[str, float] = {}
    for word, weight in weights.items():
        for article in found[word]:
            covered[article] = covered.get(article, 0.0) + weight
    return QuestionCoverage(
        asks=True,
        specificity=round(total, 2),
        parts=parts,
        articles={a: round(w / total, 3) for a, w in covered.items()} if total else {},
    )
