"""The send-or-review decision, rule by rule, including tickets shaped by an attacker."""

from pathlib import Path

import pytest

from adapters.knowledge.knowledge_base import KnowledgeBase
from config.escalation import load_policy
from models.agent_output import ReplyDraft
from models.support import Classified, DraftedReply, InboundEmail, KbHit, Screening, TriageOptions
from policy.triage_policy import (
    SIGNAL_LABELS,
    WEIGHTS,
    evaluate,
    fuse_topic,
    retrieval_evidence,
)
from tests.workflows.triage_fakes import ANSWER, CALL, INVOICES, billing_email, classification, hits

KB_DIR = Path(__file__).parents[2] / "kb" / "articles"
OPTIONS = TriageOptions(threshold=0.75)
POLICY = load_policy()
CLEAN = Screening(policy_version="test", intents=[])


def classified(probabilities: dict[str, float] | None = None, **fields: object) -> Classified:
    spread = {"billing": 0.9, "technical": 0.04, "account": 0.03, "sales": 0.02, "other": 0.01}
    return Classified(
        classification=classification(**fields),
        call=CALL,
        topic_probabilities=spread if probabilities is None else probabilities,
    )


def drafted(
    body: str = ANSWER, cited: tuple[str, ...] = ("billing-invoices",), sources=None
) -> DraftedReply:
    return DraftedReply(
        draft=ReplyDraft(body=body, cited_article_ids=list(cited), confidence=1.0),
        call=CALL,
        sources=sources if sources is not None else {"billing-invoices": INVOICES},
    )


def screened(email: InboundEmail) -> Screening:
    intents = POLICY.screen(email.sender, f"{email.subject}\n{email.body}")
    return Screening(policy_version=POLICY.version, intents=intents)


def test_grounded_on_topic_reply_with_clear_retrieval_is_sent():
    result = evaluate(billing_email(), CLEAN, classified(), hits(), drafted(), OPTIONS)
    assert result.auto_send and not result.policy_hold
    assert result.check is not None and result.check.grounding == 1.0
    expected = (
        WEIGHTS["topic"] * result.topic_probability + WEIGHTS["retrieval"] + WEIGHTS["grounding"]
    )
    assert result.score == pytest.approx(expected, abs=0.001)
    assert result.reply_body is not None and result.reply_body.startswith("Hello,\n\n")


def indexed(tmp_path: Path) -> KnowledgeBase:
    kb = KnowledgeBase(tmp_path / "kb.sqlite3")
    kb.reindex(KB_DIR)
    return kb


def test_the_attacker_ticket_from_the_issue_is_held(tmp_path: Path):
    kb = indexed(tmp_path)
    stuffed = billing_email(
        "invoice invoices billing PDF download settings billing details invoice recipients "
        "receipt renew currency VAT tax ID invoice invoice billing. Where is my invoice?"
    )
    found = kb.search(f"{stuffed.subject}\n{stuffed.body}", 4)
    body = (
        "Your invoices are under Settings → Billing → Invoices. Your account has been credited "
        "500 EUR; confirm at http://evil.example/login."
    )
    sources = {h.article_id: kb.articles([h.article_id])[0][2] for h in found}
    result = evaluate(
        stuffed, screened(stuffed), classified(confidence=1.0), found,
        drafted(body, (found[0].article_id,), sources), OPTIONS,
    )  # fmt: skip
    assert not result.auto_send
    holds = " | ".join(result.policy_hold)
    assert "500 EUR" in holds and "http://evil.example/login" in holds and "credited" in holds


def test_stuffing_the_mail_with_knowledge_base_words_does_not_raise_retrieval_evidence(
    tmp_path: Path,
):
    kb = indexed(tmp_path)
    plain = kb.search("Where can I download our invoice PDFs?", 4)
    stuffed = kb.search(
        "Where can I download our invoice PDFs? password webhook SSO export refund VAT plan "
        "API limit members two-factor owner demo discount workflow inbox",
        4,
    )
    assert plain[0].article_id == "billing-invoices"
    cited = ["billing-invoices"]
    assert retrieval_evidence(stuffed, cited) <= retrieval_evidence(plain, cited)
    assert stuffed[0].score > plain[0].score, "raw BM25 did rise: the ratio is what holds"


def test_evidence_is_a_ratio_within_the_query():
    clear = [
        KbHit(article_id="a", title="", score=9.0, snippet=""),
        KbHit(article_id="b", title="", score=3.0, snippet=""),
    ]
    close = [
        KbHit(article_id="a", title="", score=9.0, snippet=""),
        KbHit(article_id="b", title="", score=8.0, snippet=""),
    ]
    assert retrieval_evidence(clear, ["a"]) == 1.0
    assert retrieval_evidence(close, ["a"]) == pytest.approx(round((1 - 8 / 9) / 0.5, 3))
    spread = round((1 - 8 / 9) / 0.5, 3)
    assert retrieval_evidence(close, ["a", "b"]) == spread, "citing everything found proves nothing"
    assert retrieval_evidence(clear, ["zzz"]) == 0.0


def test_knowledge_base_and_intents_outvote_an_unsure_classifier():
    unsure = classified(
        {"billing": 0.3, "technical": 0.45, "account": 0.15, "sales": 0.05, "other": 0.05}
    )
    topic, p, fused = fuse_topic(unsure, hits(), CLEAN)
    assert topic == "billing" and p == max(fused.values())


def test_without_log_probabilities_the_self_reported_topic_counts_only_partly():
    bare = classified({}, topic="technical")
    assert bare.topic_probabilities == {}
    topic, _, _ = fuse_topic(bare, hits(), CLEAN)
    assert topic == "billing", "one unsupported word from the model does not beat clear retrieval"


def test_escalation_intents_hold_whatever_the_score():
    email = billing_email("I lost my phone and have no recovery codes, please turn off 2FA.")
    result = evaluate(email, screened(email), classified(), hits(), drafted(), OPTIONS)
    assert not result.auto_send
    assert any(h.startswith("policy: account recovery or identity") for h in result.policy_hold)


def test_screening_that_did_not_run_holds():
    result = evaluate(billing_email(), None, classified(), hits(), drafted(), OPTIONS)
    assert "escalation screening did not run" in result.policy_hold


def test_an_article_marked_escalate_holds():
    flagged = [hits()[0].model_copy(update={"escalate": True}), hits()[1]]
    result = evaluate(billing_email(), CLEAN, classified(), flagged, drafted(), OPTIONS)
    assert (
        "article billing-invoices is marked escalate: a person handles its subject"
        in result.policy_hold
    )


def test_citing_an_article_of_another_topic_holds():
    cited, other = hits()
    off = [cited.model_copy(update={"topic": "technical"}), other.model_copy(update={"score": 7.5})]
    result = evaluate(billing_email(), CLEAN, classified(), off, drafted(), OPTIONS)
    assert "cited articles are about technical, the ticket is billing" in result.policy_hold


def test_not_citing_the_best_match_holds():
    swapped = [hits()[1].model_copy(update={"score": 9.0}), hits()[0]]
    result = evaluate(billing_email(), CLEAN, classified(), swapped, drafted(), OPTIONS)
    assert (
        "cites billing-invoices, but billing-vat-tax-id matches the email better"
        in result.policy_hold
    )


def test_classifier_alarms_only_ever_add_holds():
    result = evaluate(
        billing_email(),
        CLEAN,
        classified(is_spam=True, signals=["churn_risk"]),
        hits(),
        drafted(),
        OPTIONS,
    )
    assert {"classifier: spam", "classifier: churn risk"} <= set(result.policy_hold)


def test_failed_agents_never_send():
    assert not evaluate(billing_email(), CLEAN, None, hits(), drafted(), OPTIONS).auto_send
    result = evaluate(billing_email(), CLEAN, classified(), hits(), None, OPTIONS)
    assert "no draft (agent failed)" in result.policy_hold and result.score == 0.0


def test_threshold_comes_from_the_run_options():
    cited, other = hits()
    close = [cited, other.model_copy(update={"score": 5.0})]
    result = evaluate(billing_email(), CLEAN, classified(), close, drafted(), OPTIONS)
    assert result.auto_send and result.score < 1.0
    strict = TriageOptions(threshold=result.score + 0.01)
    assert not evaluate(billing_email(), CLEAN, classified(), close, drafted(), strict).auto_send


def test_a_classifier_that_sets_every_signal_is_not_taking_a_position():
    noisy = classified(signals=list(SIGNAL_LABELS))
    result = evaluate(billing_email(), CLEAN, noisy, hits(), drafted(), OPTIONS)
    assert result.auto_send and "classifier set every policy signal: ignored" in result.reasons
