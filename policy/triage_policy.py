"""The send-or-review decision for a drafted support reply: deterministic and explained.

Nothing the model says about itself enters the score. Three kinds of evidence do:

- topic: the classifier's label probabilities (token log-probabilities, not a number
  it writes), tempered, multiplied with two model-free opinions, the topics of the retrieved
  articles and of the escalation intents the mail shows, then normalised;
- retrieval: `relative x min(1, margin / MARGIN_FULL)`, scaled by the share of the
  question the knowledge base covers at all (`checks.answer.covered_share`), where `relative` is the best
  cited article's BM25 score over the top score and `margin` is `1 - floor / top`,
  `floor` being the best score among articles *not* cited (or the weakest cited one
  when every retrieved article is cited). Both are ratios within one query, so a
  mail stuffed with knowledge-base words raises every score alike and gains nothing;
- grounding: the reply checker's share of factual sentences its sources support.

Before any of it, the answer check (`checks.answer`) asks whether the knowledge base can
answer what the mail asks at all; when it cannot, a person answers.

`score = 0.3 topic + 0.3 retrieval + 0.4 grounding`, compared with the threshold.
Holds override any score: escalation intents, articles marked `escalate: true`, a
reply that does not cite the best-matching article, cited articles none of which is
about the ticket's topic, the classifier's own alarms (spam, injection, policy signals: they
only ever add a hold), citations of articles not retrieved, every failed reply check,
and any failed agent step. Pure code without I/O: the workflow and the evaluation call
the same function.
"""

from collections.abc import Mapping

from models.agent_output import TOPICS, Classification
from models.support import (
    Classified,
    DraftedReply,
    Evaluation,
    InboundEmail,
    KbHit,
    QuestionCoverage,
    Screening,
    TriageOptions,
)
from policy.checks.answer import VERSION as ANSWER_VERSION
from policy.checks.answer import answer_problem, covered_share
from policy.checks.language import detect
from policy.checks.reply import VERSION as CHECKS_VERSION
from policy.checks.reply import ReplySpec, check_reply
from policy.reply_form import compose_reply

VERSION = f"2026.12-1/checks {CHECKS_VERSION}/answer {ANSWER_VERSION}"
WEIGHTS = {"topic": 0.3, "retrieval": 0.3, "grounding": 0.4}
MARGIN_FULL = 0.5
"""A cited set scoring this much above the best uncited article counts as clearly chosen."""
MODEL_TEMPER = 0.5
"""Classifier probabilities are raised to this power before fusion: a small model is
over-confident, and flattening it let the model-free opinions correct it (dev set:
topic accuracy 82% untempered, 88% tempered; 0.5 to 1.0 and squared KB weights
were compared in one grid)."""
SELF_REPORT_SHARE = 0.6
"""Without log-probabilities the classifier's one answer gets this share, the rest spread."""
INTENT_SHARE = 0.8
SIGNAL_LABELS = {
    "legal_threat": "legal threat",
    "security_incident": "security incident",
    "refund_request": "refund request",
    "angry_customer": "angry customer",
    "churn_risk": "churn risk",
}


def _normal(weights: Mapping[str, float]) -> dict[str, float]:
    total = sum(weights.values())
    if total <= 0:
        return {t: 1 / len(TOPICS) for t in TOPICS}
    return {t: weights.get(t, 0.0) / total for t in TOPICS}


def _model_opinion(classified: Classified | None) -> dict[str, float]:
    if classified is None:
        return _normal({t: 1.0 for t in TOPICS})
    if classified.topic_probabilities:
        return _normal(
            {t: classified.topic_probabilities.get(t, 0.0) ** MODEL_TEMPER for t in TOPICS}
        )
    said = classified.classification.topic
    rest = (1 - SELF_REPORT_SHARE) / (len(TOPICS) - 1)
    return {t: SELF_REPORT_SHARE if t == said else rest for t in TOPICS}


def kb_opinion(hits: list[KbHit]) -> tuple[dict[str, float], float]:
    """Topic shares of the retrieved articles weighted by squared relative score (the top
    article counts most), mixed with a uniform prior by how clearly the top article
    stands out; and that clarity."""
    topical = [h for h in hits if h.topic in TOPICS]
    if not hits or not topical or hits[0].score <= 0:
        return _normal({t: 1.0 for t in TOPICS}), 0.0
    top = hits[0].score
    shares = _normal(
        {t: sum((h.score / top) ** 2 for h in topical if h.topic == t) for t in TOPICS}
    )
    clarity = min(1.0, (1 - (hits[1].score / top if len(hits) > 1 else 0.0)) / MARGIN_FULL)
    return {t: clarity * shares[t] + (1 - clarity) / len(TOPICS) for t in TOPICS}, clarity


def fuse_topic(
    classified: Classified | None, hits: list[KbHit], screening: Screening | None
) -> tuple[str, float, dict[str, float]]:
    """The ticket's topic, its probability, and the fused distribution."""
    kb, _ = kb_opinion(hits)
    implied = [m.topic for m in (screening.intents if screening else []) if m.topic in TOPICS]
    intents = (
        {t: INTENT_SHARE * implied.count(t) / len(implied) + (1 - INTENT_SHARE) / len(TOPICS)
         for t in TOPICS} if implied else {t: 1.0 for t in TOPICS}
    )  # fmt: skip
    model = _model_opinion(classified)
    fused = _normal({t: model[t] * kb[t] * intents[t] for t in TOPICS})
    topic = max(TOPICS, key=lambda t: fused[t])
    return topic, round(fused[topic], 3), fused


def retrieval_evidence(hits: list[KbHit], cited: list[str]) -> float:
    scores = {h.article_id: h.score for h in hits}
    chosen = [scores[a] for a in cited if a in scores]
    if not chosen or not hits or hits[0].score <= 0:
        return 0.0
    top = hits[0].score
    uncited = [h.score for h in hits if h.article_id not in cited]
    floor = max(uncited) if uncited else (min(chosen) if len(chosen) > 1 else 0.0)
    margin = 1 - floor / top
    return round(max(chosen) / top * min(1.0, max(0.0, margin) / MARGIN_FULL), 3)


def _alarms(
    email: InboundEmail, screening: Screening | None, c: Classification | None
) -> list[str]:
    holds: list[str] = []
    if email.parse_problem:
        holds.append(f"unreadable email: {email.parse_problem}")
    if screening is None:
        holds.append("escalation screening did not run")
    else:
        holds += [f"policy: {m.name} ({m.evidence!r})" for m in screening.intents]
    if c is None:
        holds.append("no classification (agent failed)")
        return holds
    if c.is_spam:
        holds.append("classifier: spam")
    if c.injection_suspected:
        holds.append("classifier: instruction-like text")
    return holds + [f"classifier: {SIGNAL_LABELS[s]}" for s in trusted_signals(c)]


def trusted_signals(c: Classification) -> list[str]:
    """The policy signals, unless the classifier set every one of them: that is the
    schema's list copied, not a judgment (the embedded model did so on 4 of 118
    development mails, none of which needed a person for that reason); the escalation
    policy screens the same intents without a model."""
    return [] if set(c.signals) >= set(SIGNAL_LABELS) else list(c.signals)


def evaluate(
    email: InboundEmail,
    screening: Screening | None,
    classified: Classified | None,
    hits: list[KbHit],
    drafted: DraftedReply | None,
    options: TriageOptions,
    coverage: QuestionCoverage | None = None,
    *,
    answer_check: bool = False,
) -> Evaluation:
    """`answer_check` is off only for tickets started before the answer check existed."""
    classification = classified.classification if classified else None
    holds = _alarms(email, screening, classification)
    topic, topic_p, _ = fuse_topic(classified, hits, screening)
    if topic == "other":
        holds.append("topic other")
    base = {"topic": topic, "topic_probability": topic_p, "policy_version": VERSION}
    if drafted is None:
        holds.append("no draft (agent failed)")
        return Evaluation(score=0.0, auto_send=False, reasons=[], policy_hold=holds, **base)
    retrieved = {hit.article_id: hit for hit in hits}
    cited = list(dict.fromkeys(drafted.draft.cited_article_ids))
    unknown = [a for a in cited if a not in retrieved]
    if unknown:
        holds.append(f"cites articles that were not retrieved: {', '.join(unknown)}")
    if not cited:
        holds.append("reply cites no article")
    ranked = [hit.article_id for hit in hits]
    best_cited = min((ranked.index(a) for a in cited if a in retrieved), default=None)
    if best_cited:
        holds.append(f"cites {ranked[best_cited]}, but {ranked[0]} matches the email better")
    topical = {retrieved[a].topic for a in cited if a in retrieved} & set(TOPICS)
    if topical and topic not in topical:
        holds.append(
            f"cited articles are about {', '.join(sorted(topical))}, the ticket is {topic}"
        )
    holds += [
        f"article {a} is marked escalate: a person handles its subject"
        for a in cited
        if a in retrieved and retrieved[a].escalate
    ]
    customer = f"{email.subject}\n{email.body}"
    english = detect(customer) in (None, "en")
    if answer_check:
        problem = (
            answer_problem(coverage, cited, english)
            if coverage
            else "the question survey did not run"
        )
        holds += [f"answer: {problem}"] if problem else []
    body = compose_reply(drafted.draft.body, customer, options.signature)
    check = check_reply(
        body,
        ReplySpec(
            customer_text=customer,
            sources={a: text for a, text in drafted.sources.items() if a in retrieved},
            cited=cited,
            allow=options.allow,
            signature=options.signature,
        ),
    )
    holds += [f"check {c.name}: {c.detail}" for c in check.failed]
    retrieval = retrieval_evidence(hits, cited)
    if coverage and english:
        retrieval = round(retrieval * covered_share(coverage), 3)
    parts = {"topic": topic_p, "retrieval": retrieval, "grounding": check.grounding}
    score = round(sum(WEIGHTS[k] * v for k, v in parts.items()), 3)
    ignored = classification is not None and not trusted_signals(classification)
    reasons = [
        *(
            ["classifier set every policy signal: ignored"]
            if ignored and classification.signals
            else []
        ),
        f"topic {topic} p={topic_p:.2f}",
        f"retrieval evidence {retrieval:.2f}",
        f"grounding {check.grounding:.2f} (checks {check.version})",
        f"score {score:.2f} vs threshold {options.threshold:.2f}",
    ]
    auto = not holds and score >= options.threshold
    return Evaluation(
        score=score, auto_send=auto, reasons=reasons, policy_hold=list(dict.fromkeys(holds)),
        retrieval=retrieval, check=check, reply_body=body, **base,
    )  # fmt: skip
