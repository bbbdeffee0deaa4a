"""A cadence paused by an answer matched by its sender alone is decided in the inbox:
the reviewer sees the mail and why it proves nothing, and resumes or ends the cadence."""

from models.outreach import OutreachStatus
from models.threads import LeadReply
from tests.web.conftest import REVIEWER, WebStack
from tests.web.test_review import _stage, eventually, held_outreach, post, status
from workflows.lead_outreach import LeadOutreachWorkflow

UNPROVEN = LeadReply(
    subject="Re: picking arms",
    excerpt="Not interested <b>at all</b>",
    unproven="reply wording, from the lead's address but naming none of our messages",
)


async def paused(web: WebStack, runs: list[str]) -> str:
    workflow_id = await held_outreach(web, runs)
    handle = web.doors.client.get_workflow_handle(workflow_id)
    await handle.signal(LeadOutreachWorkflow.lead_replied, UNPROVEN)
    await eventually(lambda: _stage(web, workflow_id, "paused"), "the pause")
    await web.login()
    return workflow_id


async def test_a_paused_cadence_is_shown_and_resumed(web: WebStack, runs: list[str]):
    workflow_id = await paused(web, runs)
    page = (await web.http.get(f"/review/{workflow_id}")).text
    assert "naming none of our messages" in page and "Not interested &lt;b&gt;at all" in page
    assert f'action="/review/{workflow_id}/resume"' in page
    assert f'action="/review/{workflow_id}/replied"' in page

    answer = await post(web, workflow_id, "resume")

    assert answer.status_code == 303
    resumed: OutreachStatus = await status(web, workflow_id)
    assert resumed.paused is None and resumed.stage == "awaiting_approval"
    assert any(d.step == "resume" and REVIEWER in d.reason for d in resumed.decisions)


async def test_a_paused_cadence_marked_replied_ends(web: WebStack, runs: list[str]):
    workflow_id = await paused(web, runs)

    answer = await post(web, workflow_id, "replied")

    assert answer.status_code == 303
    ended: OutreachStatus = await status(web, workflow_id)
    assert ended.outcome == "replied" and ended.reply == UNPROVEN
    page = (await web.http.get(f"/review/{workflow_id}")).text
    assert "Outcome: <strong>replied</strong>" in page and "The lead's answer" in page
    assert "never sent: the run ended" in page
    assert "Not interested &lt;b&gt;at all" in page, "the answer is shown, escaped"
