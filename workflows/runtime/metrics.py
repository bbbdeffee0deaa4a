"""The workflows' own metrics: auto-sends, holds by reason, agent fallbacks, SLA escalations.

Recorded through `workflow.metric_meter()`: the SDK adds `namespace`, `task_queue` and
`workflow_type` labels, and drops every emission while a workflow replays, so a run
that a worker rebuilds from history is not counted twice and no patch is needed (a
metric is no command). They come out of the worker's Prometheus endpoint
(`config/telemetry.py`) next to the SDK's own.

Labels are bounded and never personal. The policies explain a hold in a sentence for
people, which may quote the mail; `hold_code` keeps only a code for the kind of
sentence, plus a name the project chose when the sentence carries one (an escalation
intent from the policy file, a reply-check or classifier label from code). A sentence
this table does not know counts as `other`, never as itself.
"""

import re
from collections.abc import Sequence
from typing import Literal

from temporalio import workflow
from temporalio.common import MetricCounter

with workflow.unsafe.imports_passed_through():
    from policy.replay.triage_policy_v1 import HOLD_PATTERNS
    from policy.triage_policy import SIGNAL_LABELS

AUTO_SENDS = "flowdesk_auto_sends"
HOLDS = "flowdesk_holds"
FALLBACKS = "flowdesk_fallbacks"
SLA_ESCALATIONS = "flowdesk_sla_escalations"

NAMED = (
    (re.compile(r"policy: (.+?) \("), "policy"),
    (re.compile(r"check ([\w-]+):"), "check"),
    (re.compile(r"classifier: (.+)$"), "classifier"),
)
"""Sentences that name what held them: the name becomes part of the code."""
KINDS = (
    (re.compile(r"cites \S+, but "), "cites_not_best"),
    (re.compile(r"cites \S+, which reads like an instruction"), "cites_instruction"),
    (re.compile(r"article \S+ is marked escalate"), "article_escalates"),
    (re.compile(r"cites \S+, which research never found"), "cites_unknown_fact"),
    (re.compile(r"says it uses \S+, but the email does not"), "claim_not_in_email"),
    (re.compile(r"says more than \S+ does"), "claim_unsupported"),
    (re.compile(r"says \S+ for the company"), "line_first_person"),
    (re.compile(r"\d+ words; allowed"), "length"),
)
"""Sentences with an id before their fixed words."""
OPENINGS = {
    "unreadable email": "unreadable_email",
    "empty email": "empty_email",
    "escalation screening did not run": "screening_failed",
    "no classification": "no_classification",
    "no draft": "no_draft",
    "topic other": "topic_other",
    "cites articles that were not retrieved": "cites_unretrieved",
    "reply cites no article": "cites_nothing",
    "cited articles are about": "cites_off_topic",
    "placeholder text": "placeholder",
    "does not open with a greeting": "no_greeting",
    "subject is": "subject_length",
    "pushy tone": "pushy_tone",
    "commercial promise": "promise",
    "shouting": "shouting",
    "cites unknown fact": "cites_unknown_fact",
    "claim is not in the email": "claim_not_in_email",
    "claim not supported": "claim_unsupported",
    "names not in any source": "unsourced_names",
    "numbers not in any source": "unsourced_numbers",
    "links to a host off the allowlist": "link_off_allowlist",
    "no sign-off line": "no_signoff",
    "repeats the lead's": "echoes_lead",
    "body is": "length",
    "mentions ": "unsourced_terms",
    "says more about the company": "line_unsupported",
    "leaves out ": "line_drops_facts",
    "carries a link": "line_contact",
    "talks about money": "line_money",
    "reads like an instruction": "line_instruction",
    "repeats itself": "line_repeats",
    "the personal sentence is": "line_length",
    "promises or claims an action": "promise_or_action",
    "prompt or source scaffolding": "scaffolding",
    "names source ids": "names_source_ids",
    "not signed": "no_signoff",
    "the lead wrote in": "language",
    "the model's sentence did not hold": "model_sentence_failed",
    "answer: the mail asks no question": "answer_asks_nothing",
    "answer: the knowledge base does not cover": "answer_not_covered",
    "answer: the knowledge base never names": "answer_never_named",
    "answer: the question survey did not run": "answer_survey_failed",
    "answer: ": "answer_other_article",
}
"""Sentences by their fixed opening words (the policies' wording)."""
LABELS = {*HOLD_PATTERNS, *SIGNAL_LABELS.values(), "spam", "instruction-like text"}
"""Bare labels the classifier and the 2026.11-1 policies hold with."""
SLUG = re.compile(r"[^a-z0-9]+")
MAX_NAME = 40

Fallback = Literal["failed", "token_budget", "checks"]
"""Why an agent step's output was not used: it failed after its retries, the run's token
budget was spent before it, or (an outreach follow-up) it did not pass its checks."""


def _slug(text: str) -> str:
    return SLUG.sub("_", text.lower()).strip("_")[:MAX_NAME] or "other"


def hold_code(sentence: str) -> str:
    """The bounded code for one hold sentence of the triage or outreach policy."""
    for pattern, kind in NAMED:
        if found := pattern.match(sentence):
            return f"{kind}:{_slug(found.group(1))}"
    for pattern, kind in KINDS:
        if pattern.match(sentence):
            return kind
    for opening, code in OPENINGS.items():
        if sentence.startswith(opening):
            return code
    return _slug(sentence) if sentence in LABELS else "other"


def _counter(name: str, description: str) -> MetricCounter:
    return workflow.metric_meter().create_counter(name, description)


def held(sentences: Sequence[str], **flags: bool) -> None:
    """A decision to wait for a person: one count per distinct reason, the policy's
    sentences as codes plus each true flag by its name (`low_score`, `tier_policy`...)."""
    codes = {hold_code(s) for s in sentences} | {name for name, on in flags.items() if on}
    counter = _counter(HOLDS, "Decisions held for a person, once per distinct reason")
    for code in sorted(codes or {"other"}):
        counter.add(1, {"reason": code})


def auto_sent(source: str) -> None:
    """An email sent with no person approving it; `source` is agent, template or edited."""
    _counter(AUTO_SENDS, "Emails sent without a person approving them").add(1, {"source": source})


def fallback(step: str, why: Fallback) -> None:
    """An agent step (classify, draft, research) whose output the run went on without."""
    _counter(FALLBACKS, "Agent steps the run fell back from").add(1, {"step": step, "cause": why})


def skipped(step: str, spent: bool) -> bool:
    """`spent` as given, counted as a token-budget fallback when true: wraps the budget
    check so the step it skips is counted where it is skipped."""
    if spent:
        fallback(step, "token_budget")
    return spent


def sla_escalated() -> None:
    """A review that passed its SLA: on-call is emailed."""
    _counter(SLA_ESCALATIONS, "Reviews that passed their SLA (on-call emailed)").add(1)
