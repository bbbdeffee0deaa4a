"""How much of a mail fits the endpoint's context beside the prompt and the answer.

A request longer than the model's context is refused, and the ticket reaches a person
with neither a classification nor a draft. The window comes from the setting
(`FLOWDESK_LLM_CONTEXT_TOKENS`) or, unset, from llama.cpp's `/props`; an endpoint that
says neither (a hosted model, whose window is far beyond any mail) gets no cut beyond the
fixed caps. Tokens are counted without the model's tokenizer, at a rate pasted logs and
numbers reach (2 characters a token; English prose runs near 4), so the estimate errs
towards a shorter mail, never a refused request.
"""

import httpx

from agents.prompts import Message

CHARS_PER_TOKEN = 2
TOKENS_PER_MESSAGE = 8
"""The chat template's own tokens around each message."""
MARGIN_TOKENS = 64
MIN_ROOM_CHARS = 400
"""Even a crowded prompt shows the mail's opening: the subject and the question."""


async def props_context(
    base_url: str, api_key: str, timeout_s: float = 5.0
) -> tuple[bool, int | None]:
    """(answered, window): `default_generation_settings.n_ctx` of a llama.cpp server; an
    endpoint that answers without one (a hosted API) has none to give, and is not asked
    again; one that cannot be reached (still starting) is asked on the next call."""
    url = base_url.removesuffix("/").removesuffix("/v1") + "/props"
    try:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            response = await client.get(url, headers={"Authorization": f"Bearer {api_key}"})
    except httpx.TransportError:
        return False, None
    try:
        n_ctx = response.json()["default_generation_settings"]["n_ctx"]
    except (ValueError, KeyError, TypeError):
        return True, None
    return True, n_ctx if isinstance(n_ctx, int) and n_ctx > 0 else None


def room_chars(window: int | None, messages: list[Message], answer_tokens: int) -> int | None:
    """Characters of mail that fit beside `messages` (the prompt without the mail) and an
    answer of `answer_tokens`; None when the window is unknown."""
    if window is None:
        return None
    prompt = sum(len(m["content"]) for m in messages) / CHARS_PER_TOKEN
    used = prompt + TOKENS_PER_MESSAGE * len(messages) + answer_tokens + MARGIN_TOKENS
    return max(MIN_ROOM_CHARS, int((window - used) * CHARS_PER_TOKEN))
