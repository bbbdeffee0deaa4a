"""Label probabilities from token log-probabilities, over real HTTP to a scripted endpoint."""

import math

import pytest

from agents.client import LlmClient, LlmConfig, LlmOutputInvalid
from agents.labels import label_distribution
from agents.triage import topic_probabilities
from models.agent_output import TOPICS
from tests.scripted_llm import Reply, ScriptedLlm


@pytest.fixture
def llm():
    server = ScriptedLlm()
    yield (
        server,
        LlmClient(LlmConfig(base_url=server.base_url, api_key="k", models={"default": "m"})),
    )
    server.close()


def test_token_variants_are_summed_per_label_and_normalised():
    alternatives = [(" billing", math.log(0.5)), ("Bill", math.log(0.1)), ("tech", math.log(0.2)),
                    ("{", math.log(0.2))]  # fmt: skip
    distribution = label_distribution(alternatives, TOPICS)
    assert distribution is not None
    assert distribution["billing"] == pytest.approx(0.75) and distribution[
        "technical"
    ] == pytest.approx(0.25)
    assert label_distribution([("{", 0.0)], TOPICS) is None, "no mass on any label"


async def test_the_endpoints_log_probabilities_become_the_topic_distribution(llm):
    server, client = llm
    server.script.append(
        Reply(
            content="account", top_logprobs=[("account", math.log(0.8)), ("billing", math.log(0.2))]
        )
    )
    labelled = await topic_probabilities(client, "Locked out", "I cannot sign in.")
    assert labelled.from_logprobs
    assert labelled.probabilities["account"] == pytest.approx(0.8)
    request = server.requests[0]
    assert request["logprobs"] is True and request["top_logprobs"] >= 5
    assert "=====UNTRUSTED-EMAIL-7f3a=====" in request["messages"][-1]["content"]
    assert labelled.record.prompt_version.startswith("triage.topic@")


async def test_an_endpoint_without_log_probabilities_still_gives_its_answer(llm):
    server, client = llm
    server.script.append(Reply(content="Sales"))
    labelled = await topic_probabilities(client, "Quote", "What does Team cost?")
    assert not labelled.from_logprobs
    assert labelled.probabilities["sales"] == 1.0


async def test_an_answer_that_is_no_label_is_invalid(llm):
    server, client = llm
    server.script.append(Reply(content="Sure! Here is"))
    with pytest.raises(LlmOutputInvalid, match="none of"):
        await topic_probabilities(client, "x", "y")
