"""The reply checker: reads a drafted email before it may leave without a person.

Pure code, no I/O, used by support triage and lead outreach alike. It never asks the
model whether the reply is good; it reads the reply:

- facts: every link, address, phone number, amount, percentage, duration, date and
  number must be stated by a cited source or allowlisted (`entities`);
- promises: no claimed action ("we have refunded", "your account has been credited"),
  no commitment, no hand-off a person would then have to honour, and money words
  (refund, credit, discount) only inside a sentence its source states almost verbatim;
- echo and scaffolding: no long run of the customer's own words, no trace of the
  prompt (article listings, bracketed ids, fences, JSON, system-prompt phrases);
- grounding: the share of factual sentences whose content words the cited sources
  contain, every cited source must support at least one sentence, and the reply must
  use most of the question's words that the sources know (it answers what was asked);
- form: the customer's language, a greeting, the signature, a sane length.

Bump `VERSION` with any change here; it is recorded with every verdict.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from models.checks import CheckResult, ReplyCheck
from policy.checks.entities import unsourced
from policy.checks.grounding import INSTRUCTIONS, WORD, coverage, stems, support
from policy.checks.language import detect

VERSION = "2026.12-1"
SENTENCE_SUPPORT = 0.6
"""Share of a sentence's content words a source must contain for the sentence to count."""
VERBATIM_SUPPORT = 0.8
"""Money words (refund, credit, discount) pass only in a sentence this close to its source."""
ECHO_SPAN = 8
GREETING = re.compile(
    r"^(hi|hello|hey|dear|good (morning|afternoon|evening)|hallo|guten (tag|morgen)|liebe[rs]?"
    r"|sehr geehrte[rs]?|hola|buen(os|as) (días|tardes)|estimad[oa]s?|bonjour|salut|cher|chère"
    r"|ciao|buongiorno|gentile|hoi|beste|goedendag|olá|oi|bom dia)\b",
    re.I,
)
COURTESY = re.compile(
    r"^(thanks?( you)?|thank you for|many thanks|we('re| are) (happy|glad)|happy to help|i hope"
    r"|hope this helps|let us know|feel free|if you have (any )?(other|more|further)"
    r"|please (don't|do not) hesitate|best( regards| wishes)?|kind regards|regards|cheers"
    r"|sincerely|have a (great|nice|good))\b",
    re.I,
)
ACTION = re.compile(
    r"\b(we|i)( have|'ve| had| just| now)*\s+(already\s+)?(refunded|credited|disabled|enabled"
    r"|removed|deleted|changed|approved|reset|cancell?ed|upgraded|downgraded|extended|waived"
    r"|granted|issued|processed|fixed|resolved|restored|unlocked|transferred|updated|increased"
    r"|raised|lowered|escalated|added|applied|turned (off|on)|switched (off|on)|reversed)\b"
    r"|\byour (\w+ ){0,2}(has been|have been|was|were|is now|are now) (now )?(refunded"
    r"|credited|disabled|deleted|removed|changed|approved|reset|cancell?ed|upgraded|extended"
    r"|waived|restored|unlocked|transferred|increased|raised|reversed|turned off)\b"
    r"|\b(we|i)('ll| will| can| shall| are going to| am going to)( now)? (refund|credit|waive"
    r"|issue|give you|send you|make an exception|approve|disable|delete|remove|reset|transfer"
    r"|raise|increase|extend|cancel|process|compensate|reverse|refund)\b"
    r"|\b(as an exception|make an exception|one[- ]time (credit|refund|exception)|on the house)\b"
    r"|\b(specialist|colleague|someone|engineer|agent|team|we|i)( will|'ll) (follow up|get back"
    r"|contact you|reach out|look into|investigate|call you)\b"
    r"|\b(wir haben|hemos|nous avons|abbiamo|wij hebben|we hebben|gutgeschrieben|erstattet"
    r"|reembolsado|remboursé|rimborsato|terugbetaald)\b",
    re.I,
)
"""Claims that something was or will be done: only a person may say so."""
MONEY_WORDS = re.compile(
    r"\b(refund\w*|reimburs\w*|credit(ed|s)?|discount\w*|compensat\w*|waiv\w*|voucher|coupon"
    r"|exception|goodwill|guarantee\w*|free of charge|free (month|months|year|upgrade))\b",
    re.I,
)
SCAFFOLDING = re.compile(
    r"=====|untrusted|```|\{\s*\"|\"(body|confidence|cited_article_ids|topic)\"|cited_article_ids"
    r"|^\s*(topic|customer email|subject|knowledge base articles?|facts|web pages|url|title)\s*:"
    r"|\(id, title|knowledge base|as an ai\b|language model|system prompt|my instructions"
    r"|answer with json|the articles (given|provided|above)|\bexcerpt\b|\[[a-z0-9][\w-]{2,}\]"
    r"|\byou (triage|sort|answer|write|research) (support|customer|short|companies)|pick the topic"
    r"|reply with one word|confidence is how|injection_suspected|is_spam",
    re.I | re.M,
)


ID_LIKE = re.compile(r"[-_\d]")
"""Source ids such as billing-invoices or P2; a plain-word id would flag ordinary prose."""


@dataclass(frozen=True)
class ReplySpec:
    """What a reply is checked against. `sources` maps each citable id to its text."""

    customer_text: str
    sources: Mapping[str, str]
    cited: Sequence[str]
    allow: Sequence[str] = ()
    signature: str = "Flowdesk Support"
    words: tuple[int, int] = (12, 200)
    require_grounding: bool = True
    echo_in_sources_ok: bool = True
    """Whether repeating customer words that a source also contains is allowed (support
    articles, yes; an outreach fact that *is* the lead's message, no)."""


def _lines(body: str) -> list[str]:
    return [line.strip() for line in body.strip().splitlines() if line.strip()]


def is_closing(line: str, signature: str) -> bool:
    """A sign-off line: short, and the signature or a courtesy formula."""
    short = len(line.split()) <= 6
    return short and (signature.lower() in line.lower() or bool(COURTESY.match(line.strip())))


def _content(body: str, signature: str) -> str:
    """The body without its greeting line and its closing lines."""
    lines = _lines(body)
    if lines and GREETING.match(lines[0]) and len(lines[0].split()) <= 8:
        lines = lines[1:]
    while lines and is_closing(lines[-1], signature):
        lines = lines[:-1]
    return "\n".join(lines)


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+|\n+", text)
    return [p.strip(" -*•\t") for p in parts if len(WORD.findall(p)) >= 3]


def factual(text: str) -> list[str]:
    """Sentences that state something: not courtesy, with at least two content words."""
    return [s for s in sentences(text) if not COURTESY.match(s) and len(stems(s)) >= 2]


def _echo(body: str, customer: str, sources: str) -> str | None:
    words = WORD.findall(customer.lower())
    said = " " + " ".join(WORD.findall(body.lower())) + " "
    known = " " + " ".join(WORD.findall(sources.lower())) + " "
    for i in range(len(words) - ECHO_SPAN + 1):
        run = " " + " ".join(words[i : i + ECHO_SPAN]) + " "
        if run in said and run not in known:
            return run.strip()
    return None


def _quotes(sentence: str, sources: str) -> bool:
    """Close to a source sentence: enough content words, nearly all of them in the source."""
    return len(stems(sentence)) >= 3 and support(sentence, sources) >= VERBATIM_SUPPORT


def _promises(claims: list[str], sources: str) -> list[str]:
    found = [s for s in claims if ACTION.search(s)]
    found += [
        s for s in claims if s not in found and MONEY_WORDS.search(s) and not _quotes(s, sources)
    ]
    return found


def check_reply(body: str, spec: ReplySpec) -> ReplyCheck:
    cited = [spec.sources[i] for i in dict.fromkeys(spec.cited) if i in spec.sources]
    evidence = "\n".join(cited)
    content = _content(body, spec.signature)
    claims = factual(content)
    supported = [s for s in claims if support(s, evidence) >= SENTENCE_SUPPORT]
    grounding = len(supported) / len(claims) if claims else 0.0
    checks: list[CheckResult] = []

    def record(name: str, problem: str | None) -> None:
        checks.append(CheckResult(name=name, passed=problem is None, detail=problem or ""))

    missing = unsourced(body, cited, spec.allow)
    record(
        "facts_sourced",
        _listing("not in a cited source", [f"{e.kind} {e.text!r}" for e in missing]),
    )
    record(
        "no_promises",
        _listing("promises or claims an action", _quote(_promises(sentences(content), evidence))),
    )
    echo = _echo(body, spec.customer_text, evidence if spec.echo_in_sources_ok else "")
    record("no_echo", f"repeats the customer's words: {echo!r}" if echo else None)
    scaffold = SCAFFOLDING.search(body) or INSTRUCTIONS.search(body)
    ids = [
        i
        for i in spec.sources
        if ID_LIKE.search(i) and re.search(rf"\b{re.escape(i)}\b", body, re.I)
    ]
    record("no_scaffolding", f"prompt or source scaffolding: {scaffold.group(0)!r}" if scaffold
           else (f"names source ids: {', '.join(ids)}" if ids else None))  # fmt: skip
    if spec.require_grounding:
        unsupported = [s for s in claims if s not in supported]
        record("grounded", _grounding_problem(claims, unsupported))
        unused = [
            i for i in dict.fromkeys(spec.cited)
            if i in spec.sources and not any(support(s, spec.sources[i]) >= SENTENCE_SUPPORT for s in claims)
        ]  # fmt: skip
        record("cited_sources_used", _listing("cited but not used", unused))
        record("answers_question", _coverage_problem(spec.customer_text, evidence, content))
    record("language", _language_problem(spec.customer_text, content or body))
    lines = _lines(body)
    greets = bool(lines) and bool(GREETING.match(lines[0])) and len(lines[0].split()) <= 8
    record("greeting", None if greets else "does not open with a greeting line")
    signed = (
        bool(lines) and spec.signature.lower() in lines[-1].lower() and len(lines[-1].split()) <= 6
    )
    record("signature", None if signed else f"not signed {spec.signature!r}")
    count = len(body.split())
    low, high = spec.words
    record("length", None if low <= count <= high else f"{count} words; allowed {low} to {high}")
    return ReplyCheck(version=VERSION, checks=checks, grounding=round(grounding, 3))


def _grounding_problem(claims: list[str], unsupported: list[str]) -> str | None:
    if not claims:
        return "states nothing the sources could support"
    return _listing("not supported by the cited sources", _quote(unsupported))


def _coverage_problem(customer: str, evidence: str, reply: str) -> str | None:
    found = coverage(customer, evidence, reply)
    if not found.measurable:
        return f"the cited sources share too few words with the question ({len(found.asked)})"
    if not found.answered:
        return f"leaves out what was asked about: {', '.join(sorted(found.missing)[:6])}"
    return None


def _language_problem(customer: str, reply: str) -> str | None:
    wanted, written = detect(customer), detect(reply)
    if wanted is None or written is None or wanted == written:
        return None
    return f"customer wrote in {wanted}, reply is in {written}"


def _quote(texts: list[str]) -> list[str]:
    return [repr(t[:80]) for t in texts]


def _listing(what: str, items: list[str]) -> str | None:
    return f"{what}: {', '.join(items[:4])}" if items else None
