"""The outreach checks of runs started before today's rules: the style checks from
before the shared reply checker (2026.11-1) and the claim checks from before drafts
were held to the facts they cite (`uncited_holds`, 2026.11-3).

Outreach runs live for weeks (follow-ups, continue-as-new); a run whose history was
decided by these rules must decide the same way when it replays, so `lead_outreach`
applies them, instead of `policy.checks.reply`, to runs without the
`reply-checker` patch marker. Remove once no such run is open.
"""

import re

from models.agent_output import OutreachDraft
from models.lead import LeadSubmission
from models.outreach import SourcedPoint
from policy.checks.grounding import INSTRUCTIONS, echoes, stems, support
from policy.replay.triage_policy_v1 import HOLD_PATTERNS

VERSION = "2026.11-1"
NUMBER = re.compile(r"\d(?:[\d,.]*\d)?%?")
NAME = re.compile(r"(?<![.!?:]\s)(?<=[ \t])([A-Z][a-zA-Z]+)")
"""A capitalised word inside a sentence (after a space, not after a full stop)."""
COMMON_NAMES = frozenset(
    "Flowdesk I Hi Hello Dear Best Thanks Thank Regards Cheers The We Our You Your "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April "
    "May June July August September October November December".split()
)


def legacy_holds(
    draft: OutreachDraft, facts: list[SourcedPoint], lead: LeadSubmission, words: tuple[int, int]
) -> list[str]:
    body, subject = draft.body, draft.subject
    holds: list[str] = []
    lines = [line for line in body.strip().splitlines() if line.strip()]
    if not lines or "flowdesk" not in lines[-1].lower() or len(lines[-1].split()) > 6:
        holds.append("no sign-off line from Flowdesk")
    if lead.message and echoes(body, lead.message):
        holds.append("repeats the lead's own message back")
    count = len(body.split())
    if not words[0] <= count <= words[1]:
        holds.append(f"body is {count} words; allowed {words[0]} to {words[1]}")
    for label in ("instruction-like text", "looks like spam or phishing"):
        if HOLD_PATTERNS[label].search(f"{subject}\n{body}"):
            holds.append(label)
    evidence = " ".join(f.text for f in facts).lower()
    numbers = sorted({n for n in NUMBER.findall(body) if n.lower() not in evidence})
    if numbers:
        holds.append(f"numbers not in any source: {', '.join(numbers[:5])}")
    return holds


def uncited_holds(
    draft: OutreachDraft, facts: dict[str, SourcedPoint], known: set[str], min_support: float
) -> tuple[list[str], int]:
    """Holds for claims, numbers and names without a source, and how many claims traced."""
    holds: list[str] = []
    traced = 0
    free = stems(" ".join(known))
    for use in draft.facts:
        fact = facts.get(use.fact_id)
        if fact is None:
            holds.append(f"cites unknown fact {use.fact_id}")
        elif INSTRUCTIONS.search(fact.text):
            holds.append(f"cites {use.fact_id}, which reads like an instruction to the model")
        elif support(use.claim, draft.body) < min_support:
            holds.append(f"claim is not in the email: {use.claim[:80]!r}")
        elif support(use.claim, fact.text, free) < min_support:
            holds.append(f"claim not supported by {use.fact_id}: {use.claim[:80]!r}")
        else:
            traced += 1
    evidence = " ".join(f.text for f in facts.values()).lower()
    names = sorted({n for n in NAME.findall(draft.body) if n not in COMMON_NAMES} - known)
    unsourced = [n for n in names if n.lower() not in evidence]
    if unsourced:
        holds.append(f"names not in any source: {', '.join(unsourced[:5])}")
    return holds, traced
