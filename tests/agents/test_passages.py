"""What the drafter is shown of an article, and the second draft for a reply that leaves
out what was asked."""

import json

from agents.client import LlmClient, LlmConfig
from agents.passages import FOCUS_PASSAGES, MAX_CHARS, MAX_PASSAGES, passages, relevant, shown
from agents.triage import draft_reply
from tests.scripted_llm import Reply, ScriptedLlm

ARTICLE = (
    "Every payment creates an invoice. Owners find all invoices under Settings → Billing → "
    "Invoices, where each one can be downloaded as a PDF.\n"
    "- Invoices are issued on the day your subscription renews.\n"
    "- A receipt is emailed to the billing contact after each successful payment.\n"
    "Lost your phone? Two-factor codes are reset by the workspace owner."
)
LONG = "\n".join(f"Section {i} covers reporting dashboards and charts." for i in range(80))


def test_a_short_article_is_shown_whole() -> None:
    assert shown("Where can I download the invoice PDF?", ARTICLE) == ARTICLE


def test_the_answering_passage_is_kept_and_unrelated_ones_are_not() -> None:
    focused = relevant("download invoice PDF", ARTICLE, FOCUS_PASSAGES)
    assert "each one can be downloaded as a PDF" in focused
    assert "Two-factor" not in focused and len(focused.splitlines()) == FOCUS_PASSAGES


def test_passages_keep_the_articles_order() -> None:
    kept = relevant("invoice receipt payment", ARTICLE).splitlines()
    order = [passages(ARTICLE).index(p) for p in kept]
    assert order == sorted(order) and len(order) >= 3


def test_an_answer_deep_in_a_long_article_is_shown() -> None:
    article = f"{LONG}\nTo rotate an API key, open Developers and choose Rotate key."
    assert len(article) > MAX_CHARS
    assert "choose Rotate key" in shown("How do I rotate my API key?", article)


def test_at_most_the_best_passages_and_the_cap() -> None:
    article = "\n".join(f"Webhooks retry delivery number {i} of the queue." for i in range(40))
    kept = relevant("webhook retry", article)
    assert len(kept.splitlines()) == MAX_PASSAGES and len(kept) <= MAX_CHARS


def test_rare_words_outrank_words_every_passage_uses() -> None:
    article = "\n".join(
        [f"Flowdesk settings hold plan {n}." for n in "ABCDEF"]
        + ["Flowdesk settings rotate keys weekly."]
    )
    assert (
        relevant("flowdesk settings rotate", article, 1) == "Flowdesk settings rotate keys weekly."
    )


def test_without_a_shared_word_the_opening_is_shown() -> None:
    assert relevant("zebra xylophone", LONG) == LONG[:MAX_CHARS]


def _draft(body: str, tokens: int = 20) -> Reply:
    answer = {"body": body, "cited_article_ids": ["inv"], "confidence": 0.5}
    return Reply(content=json.dumps(answer), completion_tokens=tokens)


async def _drafted(*replies: Reply):
    llm = ScriptedLlm(list(replies))
    config = LlmConfig(base_url=llm.base_url, api_key="k", models={"default": "m"}, timeout_s=5)
    try:
        result = await draft_reply(
            LlmClient(config), "Invoice PDF", "Where do I download the invoice PDF?", "billing",
            [("inv", "Invoices", ARTICLE)],
        )  # fmt: skip
    finally:
        llm.close()
    return result, [r["messages"][-1]["content"] for r in llm.requests]


async def test_a_draft_that_answers_is_asked_for_once() -> None:
    result, prompts = await _drafted(_draft("Download each invoice as a PDF under Invoices."))
    assert len(prompts) == 1 and not result.record.revised
    assert "Two-factor" in prompts[0], "a short article is shown whole"


async def test_a_draft_that_leaves_out_the_question_is_written_again_from_its_passages() -> None:
    result, prompts = await _drafted(
        _draft("A receipt is emailed after each successful payment.", tokens=20),
        _draft("Owners find all invoices under Invoices, downloaded as a PDF.", tokens=30),
    )
    assert len(prompts) == 2
    assert "downloaded as a PDF" in prompts[1] and "Two-factor" not in prompts[1]
    assert result.output.body.startswith("Owners find all invoices")
    assert result.record.revised and result.record.usage.completion_tokens == 50
