"""Bad model answers through the agent schemas and through the real LLM client.

For every answer: the schema accepts it or raises `ValidationError` (nothing else), and
what it accepts is printable, one line where it is a subject, and fits a payload.
Through `LlmClient` over real HTTP (the answer sent again on the repair turn) the call
returns that valid output or fails as `LlmOutputInvalid`/`LlmUnavailable`, naming the
role and the problem without quoting the answer. Broken chat-completion bodies are
`LlmUnavailable`, never an unexpected exception.
"""

from collections.abc import Iterator

import pytest
from pydantic import BaseModel, ValidationError
from temporalio.contrib.pydantic import pydantic_data_converter

from agents.client import LlmClient, LlmConfig, LlmOutputInvalid, LlmUnavailable
from models.agent_output import CONTROL, LINE_BREAK, TouchLine
from tests.corpus.llm import PERSONAL, RAW_BODIES, VALID, AnswerCase, answer_corpus
from tests.corpus.mutate import strings_in
from tests.scripted_llm import Reply, ScriptedLlm

CORPUS = answer_corpus()
MAX_PAYLOAD_BYTES = 64_000
MESSAGES = [{"role": "user", "content": "Classify this."}]


def assert_usable(output: BaseModel, label: str) -> None:
    for text in strings_in(output.model_dump()):
        assert not CONTROL.search(text), f"{label}: control character accepted"
    if isinstance(output, TouchLine):
        assert not LINE_BREAK.search(output.sentence), f"{label}: multi-line sentence"
    payload = pydantic_data_converter.payload_converter.to_payloads([output])[0]
    assert len(payload.data) < MAX_PAYLOAD_BYTES, label


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.label)
def test_each_answer_is_a_valid_output_or_a_validation_error(case: AnswerCase):
    try:
        output = case.schema.model_validate_json(case.content)
    except ValidationError as refusal:
        assert refusal.errors(), case.label
        return
    assert_usable(output, case.label)


@pytest.fixture(scope="module")
def llm() -> Iterator[ScriptedLlm]:
    server = ScriptedLlm()
    yield server
    server.close()


def client(llm: ScriptedLlm) -> LlmClient:
    return LlmClient(LlmConfig(base_url=llm.base_url, api_key="k", models={"default": "m"}))


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.label)
async def test_the_client_returns_a_valid_output_or_a_typed_failure(
    case: AnswerCase, llm: ScriptedLlm
):
    llm.script[:] = [Reply(content=case.content), Reply(content=case.content)]
    try:
        result = await client(llm).structured("draft", "v1", MESSAGES, case.schema)
    except (LlmOutputInvalid, LlmUnavailable) as failure:
        message = str(failure)
        assert message.startswith(("draft: output invalid", "LLM endpoint")), case.label
        assert PERSONAL not in message and "Bcc" not in message, f"{case.label}: echoed"
        return
    assert_usable(result.output, case.label)
    assert result.record.repaired == (len(llm.script) == 0)


BODIES = [pytest.param(body, id=label) for label, body in RAW_BODIES.items()]


@pytest.mark.parametrize("body", BODIES)
async def test_a_body_that_is_no_chat_completion_is_unavailable(body: bytes, llm: ScriptedLlm):
    llm.script[:] = [Reply(raw=body), Reply(raw=body)]
    schema = next(iter(VALID))
    with pytest.raises((LlmUnavailable, LlmOutputInvalid)) as failure:
        await client(llm).structured("draft", "v1", MESSAGES, schema)
    assert str(failure.value).strip()
