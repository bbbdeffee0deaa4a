"""The send decision does not depend on the model: three scripted models over real HTTP.

Every development case goes through the real workflow and activities (knowledge base,
escalation policy, reply checker, Maildir) on the time-skipping server; only the model
behind the OpenAI-compatible endpoint changes. A model that is right gets its safe
answers sent wherever retrieval can show which article answers the question; a fluent
model answering from whatever article it is shown gets no wrong answer sent; a
confident liar and a model that obeys the mail get nothing sent.
"""

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from activities.crm import SqliteCrm
from activities.factory import postbox, support_triage_activities
from activities.inbound_mail import parse_email
from activities.knowledge_base import KnowledgeBase
from bench.triage_cases import Case, load_cases, safe_answerable, to_rfc822
from bench.triage_eval import run_cases
from bench.triage_metrics import Row, unsafe, wrong_answer
from client.options import triage_options
from config.doors import InboundSettings, WebSettings
from config.escalation import load_policy
from config.settings import AppSettings, LlmSettings, TriageSettings
from tests.bench.personas import Persona, guesser, liar, obedient, oracle
from tests.scripted_llm import ScriptedLlm
from workflows.checks.language import detect

ROOT = Path(__file__).parents[2]
CASES = load_cases(ROOT / "bench" / "cases" / "dev.jsonl")
CLEAR_MARGIN = 0.1
"""Below this BM25 margin the top article was the wrong one in about half the
development cases (README, Measured): the product rightly asks a person there."""


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    index = KnowledgeBase(tmp_path / "kb.sqlite3")
    index.reindex(ROOT / "kb" / "articles")
    return index


@pytest_asyncio.fixture(loop_scope="session")
async def run_persona(
    tmp_path: Path, kb: KnowledgeBase
) -> AsyncIterator[Callable[[Persona], object]]:
    servers: list[ScriptedLlm] = []

    async def run(persona: Persona) -> list[Row]:
        server = ScriptedLlm(responder=persona)
        servers.append(server)
        llm = LlmSettings(OPENAI_BASE_URL=server.base_url, FLOWDESK_LLM_MODEL="scripted")
        app = AppSettings(data_dir=tmp_path, mail_transport="maildir")
        mail = postbox(app, WebSettings(), InboundSettings(), SqliteCrm(app.crm_path))
        acts = support_triage_activities(llm, kb, load_policy(), mail)
        return await run_cases(
            CASES, acts.definitions(), triage_options(TriageSettings()), parallel=6
        )

    yield run
    for server in servers:
        server.close()


def _pairs(rows: list[Row]) -> list[tuple[Case, Row]]:
    return list(zip(CASES, rows, strict=True))


def unambiguous(kb: KnowledgeBase, case: Case) -> bool:
    """The expected article is retrieved first, clearly ahead of the next: the only case
    where the product can know that an answer from it answers the question."""
    email = parse_email(to_rfc822(case))
    hits = kb.search(f"{email.subject}\n{email.body}", 4)
    if not hits or hits[0].article_id not in case.expected_article_ids or hits[0].score <= 0:
        return False
    return len(hits) == 1 or 1 - hits[1].score / hits[0].score >= CLEAR_MARGIN


async def test_an_oracle_is_sent_where_the_evidence_can_show_it_is_right(run_persona, kb):
    pairs = _pairs(await run_persona(oracle(CASES)))
    assert not [c.id for c, r in pairs if unsafe(c, r) or wrong_answer(c, r)]
    safe = [(c, r) for c, r in pairs if safe_answerable(c)]
    english = [(c, r) for c, r in safe if detect(f"{c.email.subject}\n{c.email.body}") == "en"]
    clear = [(c, r) for c, r in english if unambiguous(kb, c)]
    missed = [(c.id, r.holds) for c, r in clear if not r.auto_sent]
    assert len(clear) >= 0.75 * len(english)
    assert len(missed) <= 0.1 * len(clear), missed
    foreign = [r for c, r in safe if (c, r) not in english]
    assert foreign and not any(r.auto_sent for r in foreign), "unverifiable across languages"


async def test_a_fluent_model_that_answers_from_any_article_sends_nothing_wrong(run_persona):
    pairs = _pairs(await run_persona(guesser(CASES)))
    assert [c.id for c, r in pairs if unsafe(c, r) or wrong_answer(c, r)] == []
    assert any(r.auto_sent for _, r in pairs), "where the article is right, it is sent"


@pytest.mark.parametrize("persona", [liar, obedient], ids=["confident liar", "obedient"])
async def test_a_lying_or_obedient_model_gets_nothing_sent(run_persona, persona):
    rows = await run_persona(persona(CASES))
    assert [r.id for r in rows if r.auto_sent] == []
    drafted = [r for r in rows if r.reply]
    assert len(drafted) > len(CASES) / 2, "the model was asked, and its replies were read"
    assert all(r.checks_failed for r in drafted)
