"""A mail longer than the model's context is cut to fit, its opening kept, instead of the
endpoint refusing the request. The scripted endpoint refuses, as llama.cpp does, any
request that would not fit its window with the answer."""

import json
from typing import Any

import pytest

from agents.client import LlmClient, LlmConfig
from agents.triage import MAX_EMAIL_CHARS, classify
from tests.scripted_llm import Reply, ScriptedLlm

CLASSIFIED = {
    "topic": "technical", "urgency": "normal", "language": "en", "is_spam": False,
    "injection_suspected": False, "signals": [], "confidence": 0.8,
}  # fmt: skip
QUESTION = "Why do our webhooks fail since the update? Here is everything from the log."
PASTED = "\n".join(
    f"GET /hooks/{n} status={n % 7} retry in {n}s token=a{n:08x}" for n in range(900)
)
"""Lines no folding rule knows (no timestamp, no level, no separators): a dump only the
context cut can bound."""


def refusing_when_too_long(n_ctx: int):
    def respond(request: dict[str, Any]) -> Reply:
        chars = sum(len(m["content"]) for m in request["messages"])
        if chars / 2 + request["max_tokens"] > n_ctx:  # 2 characters a token: a log's rate
            return Reply(status=400)
        return Reply(content=json.dumps(CLASSIFIED))

    return respond


def sent_mail(llm: ScriptedLlm) -> str:
    return llm.requests[-1]["messages"][-1]["content"]


@pytest.mark.parametrize("n_ctx", [2048, 4096])
async def test_a_long_mail_is_cut_to_the_endpoints_window_and_keeps_its_question(n_ctx: int):
    llm = ScriptedLlm(responder=refusing_when_too_long(n_ctx), n_ctx=n_ctx)
    try:
        client = LlmClient(LlmConfig(base_url=llm.base_url, api_key="k", models={"default": "m"}))
        result = await classify(client, "Webhooks failing", f"{QUESTION}\n{PASTED}")
    finally:
        llm.close()
    assert result.output.topic == "technical"
    assert QUESTION in sent_mail(llm)
    assert len(sent_mail(llm)) < len(PASTED) // 3


async def test_the_setting_wins_and_an_endpoint_without_props_gets_the_fixed_cap():
    """A hosted endpoint has no `/props`: asked once, its mail keeps the fixed cap; the
    setting needs no question at all."""
    llm = ScriptedLlm(responder=lambda _: Reply(content=json.dumps(CLASSIFIED)))  # no /props
    try:
        unknown = LlmClient(LlmConfig(base_url=llm.base_url, api_key="k", models={"default": "m"}))
        await classify(unknown, "Webhooks failing", f"{QUESTION}\n{PASTED}")
        await classify(unknown, "Webhooks failing", f"{QUESTION}\n{PASTED}")
        asked = llm.props_requests
        fixed = len(sent_mail(llm))
        set_small = LlmClient(
            LlmConfig(
                base_url=llm.base_url, api_key="k", models={"default": "m"}, context_tokens=2048
            )
        )
        await classify(set_small, "Webhooks failing", f"{QUESTION}\n{PASTED}")
        small = len(sent_mail(llm))
        assert llm.props_requests == asked, "a set window needs no question"
    finally:
        llm.close()
    assert asked == 1, "an endpoint that answered without a window is not asked again"
    assert MAX_EMAIL_CHARS < fixed < MAX_EMAIL_CHARS + 200  # the mail's cap, in its fence
    assert small < fixed - 1000
