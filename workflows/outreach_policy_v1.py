"""The outreach style checks of runs started before the shared reply checker (2026.11-1).

Outreach runs live for weeks (follow-ups, continue-as-new); a run whose history was
decided by these rules must decide the same way when it replays, so `lead_outreach`
applies them, instead of `workflows.checks.reply`, to runs without the
`reply-checker` patch marker. Remove once no such run is open.
"""

import re

from models.agent_output import OutreachDraft
from models.grounding import echoes
from models.lead import LeadSubmission
from models.outreach import SourcedPoint
from workflows.triage_policy_v1 import HOLD_PATTERNS

VERSION = "2026.11-1"
NUMBER = re.compile(r"\d(?:[\d,.]*\d)?%?")


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
