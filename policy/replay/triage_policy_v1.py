"""The send-or-review decision of tickets started before verified auto-send (2026.11-1).

Kept, unchanged, only so that tickets started before the reply checker existed replay
and finish as they began (`workflow.patched` in `support_triage`); a ticket waits at
most its final deadline (48 h by default), so this module and its branch go once no
such ticket is open. New tickets use `policy.triage_policy`.

Its original description: the model's self-reported confidence never decides alone.
The score mixes it with
retrieval strength (BM25 of the articles the draft cites), and hard holds override
any score: policy topics and signals that always need a person, citations of articles
that were not retrieved, and text that looks like an instruction to the system
(checked here by pattern as well as by the classifier, which may itself be fooled),
and the usual marks of spam and phishing, which a small classifier misses often.
Pure code without I/O: the workflow (through its pass-through imports) and
`bench/triage_eval.py` call the same function.
"""

import re
from dataclasses import dataclass

from models.agent_output import Classification, ReplyDraft
from models.support import Evaluation, InboundEmail, KbHit

VERSION = "2026.11-1"
"""Recorded with each decision it makes, like the current policy's."""
MODEL_WEIGHT = 0.4
"""At most this much of the score comes from the model; the rest needs evidence."""

HOLD_PATTERNS: dict[str, re.Pattern[str]] = {
    "instruction-like text": re.compile(
        r"ignore (all |any )?(previous|prior|above) (instructions|rules)|disregard (the|all|your)"
        r"|^\s*(system|assistant)\s*:|you are now|reveal (your|the) (system )?prompt"
        r"|(auto[- ]?send|mark (this|it) as)|high confidence|new instructions"
        r"|\b(ai|llm|language model) (assistant|agent|model)s?\b|tell (the|your) readers?\b",
        re.I | re.M,
    ),
    "legal threat": re.compile(
        r"\b(lawyer|attorney|lawsuit|sue|legal action|court|chargeback)\b", re.I
    ),
    "security incident": re.compile(
        r"\b(hacked|breach|compromised|leaked|stolen|unauthori[sz]ed (access|login|charge))\b", re.I
    ),
    "refund request": re.compile(r"\b(refund|money back|reimburse)\w*", re.I),
    "looks like spam or phishing": re.compile(
        r"\b(guarantee[ds]?|first page|seo|ranking|congratulations|you (have )?won|prize|bitcoin"
        r"|btc|crypto|wallet|click (here|the link|below)|verify your (account|mailbox|password)"
        r"|enter your password|will be (closed|suspended|deleted)|reply yes|unsubscribe)\b"
        r"|https?://\S*(login|verify|signin|account)",
        re.I,
    ),
    "churn risk": re.compile(
        r"\b(cancel (everything|my (account|subscription))|switching to|worst|unacceptable|furious)\b",
        re.I,
    ),
}
SIGNAL_LABELS = {
    "legal_threat": "legal threat",
    "security_incident": "security incident",
    "refund_request": "refund request",
    "angry_customer": "angry customer",
    "churn_risk": "churn risk",
}


@dataclass(frozen=True)
class TriagePolicy:
    threshold: float = 0.75
    strong_retrieval: float = 6.0
    """A cited article's BM25 score at which retrieval counts as fully supporting."""


def _holds(email: InboundEmail, classification: Classification | None) -> list[str]:
    holds: list[str] = []
    text = f"{email.subject}\n{email.body}"
    if email.parse_problem:
        holds.append(f"unreadable email: {email.parse_problem}")
    if not email.body.strip():
        holds.append("empty email")
    holds += [label for label, pattern in HOLD_PATTERNS.items() if pattern.search(text)]
    if classification is None:
        holds.append("no classification (agent failed)")
        return holds
    if classification.is_spam:
        holds.append("spam")
    if classification.injection_suspected:
        holds.append("instruction-like text")
    if classification.topic == "other":
        holds.append("topic other")
    holds += [SIGNAL_LABELS[s] for s in classification.signals]
    return list(dict.fromkeys(holds))


def evaluate(
    email: InboundEmail,
    classification: Classification | None,
    hits: list[KbHit],
    draft: ReplyDraft | None,
    policy: TriagePolicy,
) -> Evaluation:
    holds = _holds(email, classification)
    reasons: list[str] = []
    if draft is None:
        holds.append("no draft (agent failed)")
        return Evaluation(
            score=0.0, auto_send=False, reasons=reasons, policy_hold=holds, policy_version=VERSION
        )

    retrieved = {hit.article_id: hit for hit in hits}
    cited = list(dict.fromkeys(draft.cited_article_ids))
    unknown = [a for a in cited if a not in retrieved]
    if unknown:
        holds.append(f"cites articles that were not retrieved: {', '.join(unknown)}")
    if not cited:
        holds.append("reply cites no article")
    supported = [retrieved[a].score for a in cited if a in retrieved]
    strength = min(1.0, max(supported, default=0.0) / policy.strong_retrieval)
    model = min(draft.confidence, classification.confidence if classification else 0.0)
    score = round(MODEL_WEIGHT * model + (1 - MODEL_WEIGHT) * strength, 3)
    reasons += [
        f"model confidence {model:.2f} (weight {MODEL_WEIGHT})",
        f"retrieval strength {strength:.2f} from {len(supported)} cited article(s)",
        f"score {score:.2f} vs threshold {policy.threshold:.2f}",
    ]
    auto = not holds and score >= policy.threshold
    return Evaluation(
        score=score, auto_send=auto, reasons=reasons, policy_hold=holds, policy_version=VERSION
    )
