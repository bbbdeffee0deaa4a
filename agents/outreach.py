"""The lead-outreach agents, narrowed until a 0.5B model cannot invent: research
chooses among the pages' own numbered sentences, drafting rewrites one of them as a
sentence to the lead.

Asked for a brief in its own words, the embedded model kept no sourced fact and
called a freight forwarder "a SaaS" (the prompt's description of us); asked for a
whole email, it copied the prompt's example sentence into mails to four companies.
Now neither prompt has an example to copy or a description of us to borrow; ids are
enum-constrained in the schema (an endpoint that honours it cannot cite what was
never shown), and everything the model returns is checked again by the caller and
the workflow. Page text and the names the lead typed are fenced as data.
"""

from typing import Any

from agents.client import LlmClient, Structured
from agents.prompts import Prompt, fence
from models.agent_output import PointChoice, TouchLine

RESEARCH = Prompt(
    name="outreach.research",
    version="2026.12-1",
    system=(
        "You help a salesperson prepare a first email to a company. You are shown numbered "
        "sentences from the company's own website. Choose up to 5 sentences that say "
        "something concrete about this company: what it does and for whom, where it works, "
        "how big it is, what it sells, what is new. Leave out slogans and sentences that "
        "could be about any company. Label each chosen id. Answer with JSON only."
    ),
    user="Company (as the lead wrote it):\n$company\n\nSentences from its website:\n$sentences",
)

DRAFT = Prompt(
    name="outreach.draft",
    version="2026.12-2",
    system=(
        "You write one short sentence of a sales email to a person at a company. Say in "
        "your own words what you noticed about their company, using only the fact given: "
        "keep its names and numbers exactly as written and add nothing. Address the reader "
        "as 'you'. At most 25 words. No prices or offers. Answer with JSON only."
    ),
    user="Company (as the lead wrote it):\n$company\n\nFact from its website:\n$fact\n\n"
    "Write the sentence in $language.",
)


async def choose_points(
    llm: LlmClient, company: str, candidates: list[tuple[str, str]]
) -> Structured[PointChoice]:
    """`candidates` are (id, sentence): the model answers with ids and labels only."""
    listing = "\n".join(f"{cid}: {text}" for cid, text in candidates)
    messages = RESEARCH.render(company=fence("lead", company), sentences=fence("web", listing))
    schema = _with_enum(PointChoice.model_json_schema(), "ChosenPoint", "id", candidates)
    return await llm.structured("research", RESEARCH.id, messages, PointChoice, schema)


async def write_line(
    llm: LlmClient, company: str, fact: str, language: str
) -> Structured[TouchLine]:
    """One sentence from one research point: shown two, the model strung both together
    with whatever else it knew, and the sentence no longer rested on either."""
    messages = DRAFT.render(
        company=fence("lead", company), fact=fence("web", fact), language=language
    )
    return await llm.structured("outreach", DRAFT.id, messages, TouchLine)


def _with_enum(
    schema: dict[str, Any], model: str, field: str, items: list[tuple[str, str]]
) -> dict[str, Any]:
    """Limit `field` of the nested `model` to the ids of `items`."""
    schema["$defs"][model]["properties"][field] = {
        "type": "string",
        "enum": [item_id for item_id, _ in items],
    }
    return schema
