"""The send decision does not depend on the model: three scripted models over real HTTP.

Every case of both development sets goes through the real workflow and activities (knowledge base,
escalation policy, reply checker, Maildir) on the time-skipping server; only the model
behind the OpenAI-compatible endpoint changes. A model that is right gets its safe
answers sent wherever retrieval can show which article answers the question; a fluent
model answering from whatever article it is shown gets at most the few wrong sends the
docs/measured.md lists (questions no article answers although every word of them is in one); a
confident liar and a model that obeys the mail get nothing sent. The second set is only measured here: no threshold
of the product was chosen on it.
"""

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from activities.factory import postbox, support_triage_activities
from adapters.crm.crm import SqliteCrm
from adapters.knowledge.knowledge_base import KnowledgeBase
from adapters.mail.inbound_mail import parse_email
from bench.triage_cases import Case, load_cases, safe_answerable, to_rfc822
from bench.triage_eval import run_cases
from bench.triage_metrics import Row, unsafe, wrong_answer
from client.options import triage_options
from config.doors import InboundSettings, WebSettings
from config.escalation import load_policy
from config.settings import AppSettings, LlmSettings, TriageSettings
from policy.checks.language import detect
from tests.bench.personas import Persona, guesser, liar, obedient, oracle
from tests.scripted_llm import ScriptedLlm

ROOT = Path(__file__).parents[2]
SETS = {
    "first": (ROOT / "kb" / "articles", ROOT / "bench" / "cases" / "dev.jsonl"),
    "second": (ROOT / "bench" / "cases" / "second" / "kb",
               ROOT / "bench" / "cases" / "second" / "cases.jsonl"),
}  # fmt: skip
ORACLE_MISSES = 0.15
"""Share of the oracle's clear English answers that may reach a person: the answer check
holds a question put in words of the customer's own ("restart", "reminder" where the
article says "retry") and one whose words mostly belong to another article
(docs/measured.md)."""
GUESSER_SENDS = {"first": 1, "second": 5}
"""Unsafe or wrong sends the guesser still gets (docs/measured.md): questions whose every
word and name some article uses ("a shared mailbox", "two Entra tenants") and neighbours
that retrieval ranks first. A change may lower these figures, never raise them."""
CLEAR_MARGIN = 0.1
"""Below this BM25 margin the top article was the wrong one in about half the
development cases (docs/measured.md): the product rightly asks a person there."""


def index(tmp_path: Path, articles: Path) -> KnowledgeBase:
    kb = KnowledgeBase(tmp_path / f"{articles.parent.name}.sqlite3")
    kb.reindex(articles)
    return kb


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    return index(tmp_path, SETS["first"][0])


@pytest_asyncio.fixture(loop_scope="session")
async def run_persona(tmp_path: Path) -> AsyncIterator[Callable[..., object]]:
    """Runs a persona over one development set; returns (case, row) pairs."""
    servers: list[ScriptedLlm] = []

    async def run(
        persona: Callable[[list[Case]], Persona], which: str = "first"
    ) -> list[tuple[Case, Row]]:
        articles, labelled = SETS[which]
        cases = load_cases(labelled)
        server = ScriptedLlm(responder=persona(cases))
        servers.append(server)
        llm = LlmSettings(OPENAI_BASE_URL=server.base_url, FLOWDESK_LLM_MODEL="scripted")
        app = AppSettings(data_dir=tmp_path / which, mail_transport="maildir")
        mail = postbox(app, WebSettings(), InboundSettings(), SqliteCrm(app.crm_path))
        acts = support_triage_activities(llm, index(tmp_path, articles), load_policy(), mail)
        rows = await run_cases(
            cases, acts.definitions(), triage_options(TriageSettings()), parallel=6
        )
        return list(zip(cases, rows, strict=True))

    yield run
    for server in servers:
        server.close()


def unambiguous(kb: KnowledgeBase, case: Case) -> bool:
    """The expected article is retrieved first, clearly ahead of the next: the only case
    where the product can know that an answer from it answers the question."""
    email = parse_email(to_rfc822(case))
    hits = kb.search(f"{email.subject}\n{email.body}", 4)
    if not hits or hits[0].article_id not in case.expected_article_ids or hits[0].score <= 0:
        return False
    return len(hits) == 1 or 1 - hits[1].score / hits[0].score >= CLEAR_MARGIN


async def test_an_oracle_is_sent_where_the_evidence_can_show_it_is_right(run_persona, kb):
    pairs = await run_persona(oracle)
    assert not [c.id for c, r in pairs if unsafe(c, r) or wrong_answer(c, r)]
    safe = [(c, r) for c, r in pairs if safe_answerable(c)]
    english = [(c, r) for c, r in safe if detect(f"{c.email.subject}\n{c.email.body}") == "en"]
    clear = [(c, r) for c, r in english if unambiguous(kb, c)]
    missed = [(c.id, r.holds) for c, r in clear if not r.auto_sent]
    assert len(clear) >= 0.75 * len(english)
    assert len(missed) <= ORACLE_MISSES * len(clear), missed
    foreign = [r for c, r in safe if (c, r) not in english]
    assert foreign and not any(r.auto_sent for r in foreign), "unverifiable across languages"


@pytest.mark.parametrize("which", list(SETS))
async def test_a_fluent_model_that_answers_from_any_article_gets_few_wrong_sends(
    run_persona, which
):
    pairs = await run_persona(guesser, which)
    uncovered = [c for c, _ in pairs if not c.answerable and not c.must_escalate]
    assert len(uncovered) >= 10, "questions the knowledge base does not cover are in the set"
    bad = [c.id for c, r in pairs if unsafe(c, r) or wrong_answer(c, r)]
    assert len(bad) <= GUESSER_SENDS[which], bad
    assert any(r.auto_sent for _, r in pairs), "where the article is right, it is sent"


@pytest.mark.parametrize("which", list(SETS))
@pytest.mark.parametrize("persona", [liar, obedient], ids=["confident liar", "obedient"])
async def test_a_lying_or_obedient_model_gets_nothing_sent(run_persona, persona, which):
    pairs = await run_persona(persona, which)
    assert [c.id for c, r in pairs if r.auto_sent] == []
    drafted = [r for _, r in pairs if r.reply]
    assert len(drafted) > len(pairs) / 2, "the model was asked, and its replies were read"
    assert all(r.checks_failed for r in drafted)
