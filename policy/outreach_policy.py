"""Checks on a drafted outreach email and who must approve it: deterministic and explained.

A draft may only say about the lead what the facts say (research points tied to a
page, CRM fields). Each cited claim must share most of its words with the fact it
cites; every mid-sentence name in the body must appear in some fact, and a fact that
reads like an instruction (a page talking to "AI assistants") cannot be cited. The
shared reply checker (`policy.checks.reply`) reads the body as it reads a support
reply: links, numbers, amounts and dates only from the facts, no promises or claimed
actions, no echo of the lead's message, no prompt scaffolding, signed by Flowdesk, a
sane length. Here on top: a greeting to the lead by name, no commercial promise
(discounts, free months, prices: a person's call), no pushy or shouting tone, no
placeholders. The score mixes the model's confidence (at most `MODEL_WEIGHT`) with the
share of claims that trace to a fact; any hold, a low score or a policy tier sends the
touch to a person.

Which touch goes out is decided here too (`choose_touch`): the agent's when it passed
or a person will see it, the template otherwise; and what a person's edit may be
(`outreach_edits`). Pure code without I/O, like `triage_policy`.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from models.agent_output import OutreachDraft
from models.lead import CompanyProfile, LeadSubmission
from models.outreach import (
    CompanyBrief,
    OutreachOptions,
    SourcedPoint,
    Touch,
    TouchCheck,
    TouchKind,
)
from policy.checks.claims import line_problems, unsupported_terms
from policy.checks.entities import entities, host_of
from policy.checks.grounding import INSTRUCTIONS, SOURCE_NOTE, stems, support
from policy.checks.reply import VERSION as CHECKS_VERSION
from policy.checks.reply import ReplySpec, check_reply
from policy.outreach_templates import with_unsubscribe
from policy.replay.outreach_policy_v1 import VERSION as LEGACY_VERSION
from policy.replay.outreach_policy_v1 import legacy_holds, uncited_holds
from policy.touch_copy import copy_words

VERSION = f"2026.12-1/checks {CHECKS_VERSION}"
"""Recorded with every verdict; bump with any change to the rules or numbers here."""
UNCITED_VERSION = f"2026.11-3/checks {CHECKS_VERSION}"
"""Runs started before drafts were checked against the facts they cite alone
(`cited-claims` patch) keep these rules: names and numbers from any fact."""
Rules = Literal["v1", "uncited", "cited"]
MODEL_WEIGHT = 0.4
MIN_SUPPORT = 0.5
"""Share of a claim's content words that must occur in the fact it cites."""
MAX_SUBJECT = 90
WORDS = (15, 180)

PLACEHOLDERS = re.compile(
    r"\[[A-Za-z][A-Za-z0-9 _]{0,40}\]|\{\{?\s*\w+\s*\}?\}|<[A-Z_ ]{2,30}>"
    r"|(?i:lorem ipsum|\bTODO\b|\bTBD\b|\bX{3,}\b|\binsert (name|company)\b)"
)
PUSHY = re.compile(
    r"!{2,}|\b(guarantee[ds]?|risk[- ]free|act now|limited[- ]time|last chance|don'?t miss"
    r"|once in a lifetime|urgent(ly)?)\b|100 ?%",
    re.I,
)
PROMISES = re.compile(
    r"\b(discount|coupon|promo(tion)? code|voucher|free (trial|month|months|year)|refund"
    r"|money[- ]back|price[sd]? (at|from)|special (offer|price|deal)|\d+ ?% off)\b",
    re.I,
)
"""Commercial terms in an outreach email are a person's call, whoever suggested them."""
SHOUTING = re.compile(r"(\b[A-Z]{4,}\b\W+){2,}")


def placeholder_problems(text: str) -> list[str]:
    return [f"placeholder text {m.group(0)!r}" for m in PLACEHOLDERS.finditer(text)][:3]


def _style_holds(subject: str, body: str, lead: LeadSubmission) -> list[str]:
    holds = placeholder_problems(f"{subject}\n{body}")
    lines = [line for line in body.strip().splitlines() if line.strip()]
    first_name = lead.name.split()[0]
    if not lines or first_name.lower() not in lines[0].lower() or len(lines[0].split()) > 4:
        holds.append("does not open with a greeting line to the lead's first name")
    if len(subject) > MAX_SUBJECT:
        holds.append(f"subject is {len(subject)} characters; limit {MAX_SUBJECT}")
    if pushy := PUSHY.search(f"{subject}\n{body}"):
        holds.append(f"pushy tone: {pushy.group(0)!r}")
    if promise := PROMISES.search(f"{subject}\n{body}"):
        holds.append(f"commercial promise: {promise.group(0)!r}")
    if SHOUTING.search(body):
        holds.append("shouting (words in capitals)")
    return holds


def _cited_holds(
    draft: OutreachDraft, facts: dict[str, SourcedPoint], free: set[str], lead: LeadSubmission
) -> tuple[list[str], int]:
    """Each claim against the facts it cites together, and, unless it quotes its fact
    whole, held to what a personal sentence may say (`line_problems`); every number and
    capitalised word of the email (outside the fixed copy and the names) a whole token
    of a cited fact."""
    holds: list[str] = []
    cited = [facts[u.fact_id] for u in draft.facts if u.fact_id in facts]
    evidence = "\n".join(f.text for f in cited)
    traced = 0
    for use in draft.facts:
        fact = facts.get(use.fact_id)
        if fact is None:
            holds.append(f"cites {use.fact_id}, which research never found")
        elif INSTRUCTIONS.search(fact.text):
            holds.append(f"cites {use.fact_id}, which reads like an instruction to the model")
        elif support(use.claim, draft.body) < MIN_SUPPORT:
            holds.append(f"says it uses {use.fact_id}, but the email does not")
        elif support(use.claim, evidence, stems(" ".join(free))) < MIN_SUPPORT:
            holds.append(f"says more than {use.fact_id} does: {use.claim[:80]!r}")
        elif fact.text not in use.claim and (
            found := line_problems(
                SOURCE_NOTE.sub(" ", use.claim), [fact.text], lead.company, lead.message
            )
        ):
            holds += found
        else:
            traced += 1
    terms = unsupported_terms(f"{draft.subject}\n{draft.body}", [evidence], free | copy_words())
    holds += [f"mentions {t!r}, which no page it cites says" for t in terms[:5]]
    return holds, traced


def link_holds(text: str, lead: LeadSubmission, hosts: list[str]) -> list[str]:
    """Links and addresses only to our own hosts or the lead's own site: a page the
    research read can name any link, and citing it does not make it ours to send."""
    allowed = {h.lower().removeprefix("www.") for h in [*hosts, lead.website_domain] if h}
    found = {
        host_of(e.text) if e.kind == "link" else e.text.rsplit("@", 1)[-1].lower()
        for e in entities(text)
        if e.kind in ("link", "email address")
    }
    foreign = sorted(h for h in found if not any(h == a or h.endswith("." + a) for a in allowed))
    return [f"links to a host off the allowlist: {', '.join(foreign[:3])}"] if foreign else []


def _shared_holds(
    draft: OutreachDraft, facts: list[SourcedPoint], lead: LeadSubmission, rules: Rules
) -> list[str]:
    """The reply checker every outgoing email passes: sourced facts, no promises, no
    echo of the lead's message, no scaffolding, the signature and the length. Under
    `cited` rules only the cited facts are sources, and each failure reads as a
    reviewer would say it."""
    cited = [u.fact_id for u in draft.facts] if rules == "cited" else [f.id for f in facts]
    if rules == "cited":
        facts = [f for f in facts if f.id in cited]
    reply = check_reply(
        draft.body,
        ReplySpec(
            customer_text=lead.message or "",
            sources={fact.id: fact.text for fact in facts},
            cited=cited,
            signature="Flowdesk",
            words=WORDS,
            require_grounding=False,
            echo_in_sources_ok=False,
        ),
    )
    if rules != "cited":
        return [f"check {c.name}: {c.detail}" for c in reply.failed]
    return [_readable(c.name, c.detail) for c in reply.failed]


def _readable(name: str, detail: str) -> str:
    if name == "facts_sourced":
        return f"mentions {detail.partition(': ')[2]}, which no page it cites says"
    return detail.replace("customer", "lead").replace("reply", "email")


def check_touch(
    draft: OutreachDraft,
    facts: list[SourcedPoint],
    lead: LeadSubmission,
    tier: str,
    kind: TouchKind,
    options: OutreachOptions,
    rules: Rules = "cited",
    replaced: Sequence[str] = (),
) -> TouchCheck:
    """`rules` other than `cited`: a run started before them keeps the rules it began
    with (`uncited`: names and numbers from any fact; `v1`: `outreach_policy_v1`), so its
    replay decides the same way. `replaced`: why the model's own sentences did not hold
    (the draft then quotes the page); a model that failed twice is one a person watches."""
    by_id = {fact.id: fact for fact in facts}
    names = {*lead.name.split(), *lead.company.split(), "Flowdesk"}
    if rules == "cited":
        source_holds, traced = _cited_holds(draft, by_id, names, lead)
    else:
        source_holds, traced = uncited_holds(draft, by_id, names, MIN_SUPPORT)
    holds = _style_holds(draft.subject, draft.body, lead) + source_holds
    if replaced:
        holds.append(f"the model's sentence did not hold ({replaced[0]}); the page is quoted")
    if options.link_hosts is not None:
        holds += link_holds(f"{draft.subject}\n{draft.body}", lead, options.link_hosts)
    if rules == "v1":
        holds += legacy_holds(draft, facts, lead, WORDS)
    else:
        holds += _shared_holds(draft, facts, lead, rules)
    version = {"v1": LEGACY_VERSION, "uncited": UNCITED_VERSION, "cited": VERSION}[rules]
    evidence = traced / len(draft.facts) if draft.facts else 0.0
    score = round(MODEL_WEIGHT * draft.confidence + (1 - MODEL_WEIGHT) * evidence, 3)
    reasons = [
        f"{'sentence support' if rules == 'cited' else 'model confidence'} "
        f"{draft.confidence:.2f} (weight {MODEL_WEIGHT})",
        f"{traced} of {len(draft.facts)} cited claim(s) trace to a fact",
        f"score {score:.2f} vs threshold {options.threshold:.2f}",
    ]
    passed = not holds and score >= options.threshold
    policy = kind == "first" and tier in options.human_tiers
    if policy:
        reasons.append(f"tier {tier} first touches always go to a person")
    return TouchCheck(
        score=score,
        needs_human=policy or not passed,
        passed=passed,
        reasons=reasons,
        holds=holds,
        policy_version=version,
    )


CRM_SOURCE = "crm:contact"


def known_facts(
    lead: LeadSubmission, profile: CompanyProfile, brief: CompanyBrief | None
) -> list[SourcedPoint]:
    """Every fact a draft may cite: research points (P…) and CRM record fields (C…).

    The checks verify a draft against this list, by the ids the draft cites; the draft
    activity builds today's emails on research points only, but drafts of runs from
    before it cited CRM fields too.
    """
    crm = [
        ("company", lead.company),
        ("industry", profile.industry),
        ("employees", str(profile.employee_count) if profile.employee_count else None),
        ("description", profile.description),
        ("their message", lead.message or None),
    ]
    facts = [
        SourcedPoint(id=f"C{i}", text=f"{label}: {value}", source_url=CRM_SOURCE)
        for i, (label, value) in enumerate(((k, v) for k, v in crm if v), start=1)
    ]
    return facts + (brief.points if brief else [])


@dataclass(frozen=True)
class TouchChoice:
    """`note` says why the template replaced the agent's draft, when it did."""

    touch: Touch
    needs_human: bool
    note: str | None = None


def choose_touch(
    kind: TouchKind,
    number: int,
    fallback: Touch,
    draft: OutreachDraft | None,
    check: TouchCheck | None,
) -> TouchChoice:
    """No draft: the template, which a person approves for a first touch (it replaces
    judgement that failed) and which is the pre-approved copy for a follow-up. A
    follow-up draft that fails its checks is replaced by the template rather than
    holding the cadence for a person; a first touch goes to a person as drafted."""
    if draft is None or check is None:
        return TouchChoice(fallback, needs_human=kind == "first")
    if kind == "follow_up" and not check.passed:
        return TouchChoice(fallback, False, "the agent's follow-up did not pass")
    touch = Touch(
        number=number,
        kind=kind,
        subject=draft.subject,
        body=with_unsubscribe(draft.body),
        source="agent",
        facts=[f.fact_id for f in draft.facts],
    )
    return TouchChoice(touch, check.needs_human)
