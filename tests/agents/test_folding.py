"""Pasted logs, traces, tables, encoded data, quoted threads and signatures fold; the
customer's own words never do."""

from pathlib import Path

from adapters.mail.inbound_mail import parse_email
from agents.folding import fold
from agents.triage import email_text

QUESTION = "Our webhook deliveries fail since yesterday. What are the retry rules?"
ROOT = Path(__file__).parents[2]


def test_a_pasted_log_keeps_its_ends_and_the_question_stays_whole():
    log = [f"2026-11-23T{h:02d}:00:07Z ERROR delivery {h} -> 504" for h in range(24)]
    folded = fold("\n".join([QUESTION, "", *log, "", "Thanks, Jordan"]))
    assert folded.startswith(QUESTION) and folded.endswith("Thanks, Jordan")
    assert "[24 log lines: first and last 3 kept]" in folded
    assert log[0] in folded and log[-1] in folded and log[10] not in folded


def test_a_python_traceback_folds_as_one_run_with_its_source_lines():
    frames = []
    for n in range(8):
        frames += [f'  File "/app/job.py", line {n}, in step{n}', f"    step{n + 1}()", "    ^^^^^"]
    folded = fold("\n".join(["Why does the sync crash?", "Traceback (most recent call last):",
                             *frames, "RuntimeError: boom"]))  # fmt: skip
    assert "[25 stack trace lines: first and last 3 kept]" in folded
    assert folded.startswith("Why does the sync crash?") and folded.endswith("RuntimeError: boom")


def test_quoted_threads_encoded_data_tables_and_signatures_fold():
    quoted = [f"> earlier line {n}" for n in range(10)]
    encoded = ["QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2" * 1] * 7
    table = [f"guest{n},guest{n}@x.example,2026-11-2{n % 9},Room {n}" for n in range(9)]
    signature = ["-- ", "Dr. Ada Byrne", "Head of IT", "+353 1 555 0100"]
    text = "\n".join([QUESTION, *quoted, *encoded, *table, *signature])
    folded = fold(text)
    assert "[10 quoted lines of an earlier message]" in folded
    assert "[7 lines of encoded data]" in folded
    assert "[9 table lines: first and last 3 kept]" in folded
    assert folded.endswith("[signature, 3 lines]") and "Head of IT" not in folded


def test_short_runs_and_a_signature_that_asks_something_stay():
    text = "\n".join(["> one quoted line", "> and another", QUESTION, "-- ", "Is there an SLA?"])
    assert fold(text) == text


def test_the_demo_ticket_with_a_pasted_log_fits_the_model():
    """It made a 4,873-token request against the embedded model's 4,096 before."""
    email = parse_email((ROOT / "examples/support/4-pasted-log.eml").read_bytes())
    shown = email_text(email.subject, email.body)
    assert len(email.body) > 15_000 and len(shown) < 1_500
    assert "What are the retry rules for webhooks, and can you raise the payload limit?" in shown
