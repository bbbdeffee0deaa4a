"""The answer check inside SupportTriageWorkflow: a question the knowledge base does not
cover goes to a person, named, however good the draft looks."""

from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from models.support import AskedTerm
from tests.workflows.test_support_triage import held
from tests.workflows.triage_fakes import FakeTriage


async def held_for(env: WorkflowEnvironment, task_queue: str, fake: FakeTriage) -> list[str]:
    status = await held(env, task_queue, fake)
    assert status.evaluation is not None and not fake.sent
    assert status.draft is not None, "the draft is still written for the reviewer"
    return status.evaluation.policy_hold


async def test_a_question_the_knowledge_base_does_not_cover_is_held(
    env: WorkflowEnvironment, task_queue: str
):
    fake = FakeTriage()
    fake.unknown = [AskedTerm(term="purchase-order", weight=4.6), AskedTerm(term="po", weight=1.5)]

    holds = await held_for(env, task_queue, fake)

    assert "answer: the knowledge base does not cover: purchase-order, po" in holds


async def test_a_failed_survey_holds_the_ticket(env: WorkflowEnvironment, task_queue: str):
    fake = FakeTriage()
    fake.survey_error = ApplicationError("index locked", type="Transient", non_retryable=True)

    holds = await held_for(env, task_queue, fake)

    assert "answer: the question survey did not run" in holds
