"""The lead-outreach agents: research a company from its pages, draft a touch from facts.

Page text, the lead's own message and the names the lead typed into the form (first
name, company) are fenced as data: a "company" of "Ignore your rules" is a name to
greet, not an instruction. Both schemas are narrowed to
what exists (page URLs, fact ids), so an endpoint that honours JSON schemas cannot
cite a source that was never read; the workflow's checks verify it all again.
"""

from typing import Any

from agents.client import LlmClient, Structured
from agents.prompts import Prompt, fence
from models.agent_output import BriefDraft, OutreachDraft

RESEARCH = Prompt(
    name="outreach.research",
    version="2026.11-2",
    system=(
        "You research companies for Flowdesk, a workflow-automation SaaS, before a sales "
        "email. From the web pages given, write a short summary of what the company does, "
        "its industry, the needs Flowdesk could meet (likely_needs) and concrete details "
        "worth mentioning (talking_points). Every point must state something the pages "
        "actually say, in your own words, and name in source_url the URL of the page it "
        "comes from. Do not guess numbers, names or news. Answer with JSON only."
    ),
    user="Company (as the lead wrote it):\n$company\n\nWeb pages (URL, title, text):\n$pages",
)

DRAFT = Prompt(
    name="outreach.draft",
    version="2026.11-4",
    system=(
        "You write short sales emails for Flowdesk, a workflow-automation SaaS that automates "
        "lead handling, support inboxes and follow-ups. You write to a person who contacted "
        "us; you are Flowdesk, not them. Shape of the body:\n"
        "1. 'Hi <first name>,'\n"
        "2. One or two sentences, in your own words, about their company, using the facts "
        "listed.\n"
        "3. One sentence on how Flowdesk could help with that.\n"
        "4. A question offering a short call.\n"
        "5. 'The Flowdesk team' on the last line.\n"
        "Under 100 words. Never copy their message back to them. No numbers, names or news "
        "that are not in the facts, no placeholders, no pressure. In facts, list each fact "
        "you used: its id and the words of your email that use it. Do not write an "
        "unsubscribe line; it is added for you. confidence is how well the facts support a "
        "personal email, from 0 to 1. Answer with JSON only, like this example for another "
        "company:\n"
        '{"subject": "Fresh bread, fewer emails", "body": "Hi Lena,\\n\\nI saw that Acme '
        "Bakery delivers to cafes every morning and that order changes arrive by email. "
        "Flowdesk could sort and confirm those changes for you, so nothing slips before the "
        'early shift.\\n\\nWould a short call next week help?\\n\\nThe Flowdesk team", '
        '"facts": [{"fact_id": "P1", "claim": "delivers to cafes every morning"}, '
        '{"fact_id": "C4", "claim": "order changes arrive by email"}], "confidence": 0.8}'
    ),
    user=(
        "Write $what to this lead (names as the lead typed them):\n$lead\n\n"
        "Facts (id, fact, source):\n$facts\n\n"
        "Earlier emails we sent in this thread, oldest first:\n$previous"
    ),
)

MAX_PAGE_CHARS = 1500
"""Text of one page the research prompt shows: enough for a homepage's pitch, and four
pages still fit the embedded model's context."""
RESEARCH_OUTPUT_TOKENS = 1000
"""Room for the largest brief the schema allows (summary and nine points with URLs);
under the usual 500-token cap a long brief was cut off mid-string and failed."""


async def research(
    llm: LlmClient, company: str, pages: list[tuple[str, str | None, str]]
) -> Structured[BriefDraft]:
    """`pages` are (url, title, text) of fetched pages, already capped in size."""
    listing = "\n\n".join(
        f"URL: {url}\nTitle: {title or '-'}\n{text[:MAX_PAGE_CHARS]}" for url, title, text in pages
    )
    messages = RESEARCH.render(company=fence("lead", company), pages=fence("web", listing))
    schema = _with_enum(
        BriefDraft.model_json_schema(), "BriefPoint", "source_url", [p[0] for p in pages]
    )
    schema["required"] = ["summary", "industry", "likely_needs", "talking_points"]
    return await llm.structured(
        "research", RESEARCH.id, messages, BriefDraft, schema, RESEARCH_OUTPUT_TOKENS
    )


async def draft_touch(
    llm: LlmClient,
    what: str,
    first_name: str,
    company: str,
    facts: list[tuple[str, str, str]],
    previous: list[tuple[str, str]],
) -> Structured[OutreachDraft]:
    """`facts` are (id, text, source); `previous` (subject, body) of emails already sent."""
    listing = "\n".join(f"{fid}: {text} (source: {source})" for fid, text, source in facts)
    earlier = "\n\n".join(f"Subject: {s}\n{b}" for s, b in previous) or "(none)"
    messages = DRAFT.render(
        what=what,
        lead=fence("lead", f"first name: {first_name}\ncompany: {company}"),
        facts=fence("facts", listing or "(no facts known)"),
        previous=fence("thread", earlier),
    )
    schema = _with_enum(
        OutreachDraft.model_json_schema(), "FactUse", "fact_id", [f[0] for f in facts]
    )
    schema["required"] = ["subject", "body", "facts", "confidence"]
    return await llm.structured("outreach", DRAFT.id, messages, OutreachDraft, schema)


def _with_enum(schema: dict[str, Any], model: str, field: str, values: list[str]) -> dict[str, Any]:
    """Limit `field` of the nested `model` to the given values (when there are any)."""
    if values:
        schema["$defs"][model]["properties"][field] = {"type": "string", "enum": values}
    return schema
