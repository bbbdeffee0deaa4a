"""The evaluation's verdicts on a small hand-built run whose right answers are known."""

import email
import re
from email.utils import parseaddr
from pathlib import Path

import pytest

from adapters.mail.inbound_mail import parse_email
from bench.triage_cases import Case, load_cases, to_rfc822
from bench.triage_metrics import Row, choose_threshold, reliability, summarize, threshold_table


def case(name, topic, *, answerable=True, escalate=False, articles=(), **email_fields):
    return Case.model_validate(
        {
            "id": name,
            "email": {"from": "kim@acme.example", "body": "Hello", **email_fields},
            "expected_topic": topic,
            "answerable": answerable,
            "must_escalate": escalate,
            "expected_article_ids": list(articles),
        }
    )


CASES = [
    case("billing-ok", "billing", articles=["billing-invoices"]),
    case("refund-escalate", "billing", escalate=True),
    case("tech-wrong-article", "technical", articles=["technical-webhooks"]),
    case("account-ungrounded", "account", articles=["account-two-factor"]),
    case("roadmap-unanswerable", "sales", answerable=False),
    case("bounce", "other", answerable=False, body=""),
    case("legal-held", "billing", escalate=True),
]
ROWS = [
    Row(id="billing-ok", outcome="auto_sent", auto_sent=True, topic="billing",
        classifier_topic="billing", score=0.9, cited=["billing-invoices"], grounding=1.0,
        calls=[{"role": "classify", "latency_ms": 100, "tokens": 300},
               {"role": "draft", "latency_ms": 900, "tokens": 700}]),
    Row(id="refund-escalate", outcome="auto_sent", auto_sent=True, topic="billing",
        classifier_topic="billing", score=0.8, cited=["billing-refunds"], grounding=1.0),
    Row(id="tech-wrong-article", outcome="auto_sent", auto_sent=True, topic="account",
        classifier_topic="technical", score=0.7, cited=["technical-api-rate-limits"],
        grounding=1.0),
    Row(id="account-ungrounded", auto_sent=False, topic="account", classifier_topic="account",
        score=0.6, cited=["account-two-factor"], grounding=0.5),
    Row(id="roadmap-unanswerable", auto_sent=False, topic="sales", classifier_topic="sales",
        score=0.55, grounding=1.0),
    Row(id="bounce", outcome="closed_no_reply", auto_sent=False),
    Row(id="legal-held", auto_sent=False, topic="billing", classifier_topic="billing", score=0.99,
        held=True, holds=["legal_threat"], cited=["billing-refunds"], grounding=1.0,
        errors=["draft: timeout"]),
]  # fmt: skip


def test_unsafe_and_wrong_answer_sends_are_named():
    summary = summarize(CASES, ROWS, model="test-model", threshold=0.75)
    assert summary["unsafe_auto_sends"] == {"count": 1, "ids": ["refund-escalate"]}
    assert summary["wrong_answer_auto_sends"] == {"count": 1, "ids": ["tech-wrong-article"]}
    assert summary["closed_no_reply_ids"] == ["bounce"]


def test_automation_counts_only_safe_answerable_cases():
    automation = summarize(CASES, ROWS, model="test-model", threshold=0.75)["automation"]
    # The unsafe auto-send of refund-escalate is not automation.
    assert automation == {"rate": 0.667, "auto_sent": 2, "safe_answerable": 3}


def test_topic_accuracy_scores_the_final_and_the_classifier_topic():
    summary = summarize(CASES, ROWS, model="test-model", threshold=0.75)
    # "bounce" has no topic and is expected "other": right.
    assert summary["topic_accuracy"] == round(6 / 7, 3)
    assert summary["classifier_topic_accuracy"] == 1.0
    assert summary["misclassified"] == {
        "tech-wrong-article": {"expected": "technical", "got": "account"}
    }


def test_costs_and_per_case_rows():
    summary = summarize(CASES, ROWS, model="test-model", threshold=0.75)
    assert summary["tokens_per_ticket"] == round(1000 / 7, 1)
    assert summary["latency_per_agent_call"]["draft"] == {"p50_ms": 900.0, "p95_ms": 900.0}
    assert summary["agent_failures"] == 1
    first = summary["cases"][0]
    assert first["id"] == "billing-ok" and first["expected_article_ids"] == ["billing-invoices"]
    assert [row["auto_sent"] for row in summary["cases"]] == [row.auto_sent for row in ROWS]


def test_threshold_table_tightens_as_the_threshold_rises():
    table = {entry["threshold"]: entry for entry in threshold_table(CASES, ROWS)}
    assert list(table) == [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]
    assert table[0.5]["unsafe_auto_sends"]["ids"] == ["refund-escalate", "roadmap-unanswerable"]
    assert table[0.5]["wrong_answer_auto_sends"]["ids"] == [
        "tech-wrong-article",
        "account-ungrounded",
    ]
    assert table[0.5]["automation"]["auto_sent"] == 3
    assert table[0.65]["unsafe_auto_sends"]["ids"] == ["refund-escalate"]
    assert table[0.65]["wrong_answer_auto_sends"]["ids"] == ["tech-wrong-article"]
    assert table[0.8]["wrong_answer_auto_sends"]["count"] == 0
    assert table[0.8]["unsafe_auto_sends"]["count"] == 1
    assert table[0.85]["automation"] == {"rate": 0.333, "auto_sent": 1, "safe_answerable": 3}
    # legal-held scores 0.99 but is held, so no threshold sends it.
    assert all("legal-held" not in e["unsafe_auto_sends"]["ids"] for e in table.values())
    assert table[0.95]["automation"]["auto_sent"] == 0


def test_choose_threshold_picks_the_lowest_clean_one():
    assert choose_threshold(threshold_table(CASES, ROWS)) == 0.85
    assert choose_threshold(threshold_table(CASES, ROWS, thresholds=(0.5, 0.6))) is None


def test_reliability_writes_a_png_and_skips_rows_without_score(tmp_path: Path):
    path = tmp_path / "reliability.png"
    result = reliability(CASES, ROWS, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 10_000
    assert sum(b["n"] for b in result["score"]) == 6
    assert result["score_ece"] > 0


def test_perfect_calibration_has_zero_error(tmp_path: Path):
    cases = [case(f"c{n}", "billing", articles=["a"]) for n in range(4)]
    rows = [
        Row(id=f"c{n}", auto_sent=False, topic="billing" if n else "sales",
            topic_probability=0.75, score=0.75, cited=["a"])
        for n in range(4)
    ]  # fmt: skip
    result = reliability(cases, rows, tmp_path / "toy.png")
    assert result["topic"] == [{"bin": "0.7-0.8", "n": 4, "mean_p": 0.75, "accuracy": 0.75}]
    assert result["topic_ece"] == 0.0
    assert result["score_ece"] == 0.0


def test_html_only_case_reads_through_the_product_parser():
    bounce = case(
        "bounce-html",
        "other",
        answerable=False,
        body="",
        html="<html><body><p>Delivery <b>failed</b> &amp; gave up</p></body></html>",
        headers={"Auto-Submitted": "auto-replied"},
        **{"from": "Mailer Daemon <mailer-daemon@x.example>"},
    )
    raw = to_rfc822(bounce)
    parsed = parse_email(raw)
    assert parsed.body == "Delivery failed & gave up"
    assert parsed.sender == "mailer-daemon@x.example"
    assert parsed.message_id == "<bounce-html@eval.flowdesk.example>"
    assert parsed.parse_problem is None
    headers = email.message_from_bytes(raw)
    assert headers["Auto-Submitted"] == "auto-replied"
    assert parseaddr(headers["From"]) == ("Mailer Daemon", "mailer-daemon@x.example")


def test_text_and_html_case_keeps_the_plain_part():
    both = case("both", "billing", body="Plain words", html="<p>Rich words</p>")
    raw = to_rfc822(both)
    assert email.message_from_bytes(raw).get_content_type() == "multipart/alternative"
    assert parse_email(raw).body == "Plain words"


def test_load_cases_names_the_bad_line(tmp_path: Path):
    good = case("one", "billing").model_dump_json(by_alias=True)
    path = tmp_path / "cases.jsonl"
    path.write_text(f'{good}\n\n{{"id": "two", "email": {{"from": "a@b.example"}}}}\n')
    with pytest.raises(SystemExit, match=rf"^{re.escape(str(path))}:3: "):
        load_cases(path)
    path.write_text(f"{good}\n{good}\n")
    with pytest.raises(
        SystemExit, match=rf"^{re.escape(str(path))}:2: duplicate id 'one' \(first on line 1\)"
    ):
        load_cases(path)
    path.write_text(f"{good}\n\n")
    assert [c.id for c in load_cases(path)] == ["one"]
