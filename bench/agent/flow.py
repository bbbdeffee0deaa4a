"""The agent path of support triage as a workflow: classify, search, draft, nothing else.

The agent-path benchmark compares these steps against the same calls made directly to
the model server. It reuses `TriageSteps`, the base class `SupportTriageWorkflow`
runs its evidence gathering with, so the activities, their options (timeouts, retries,
heartbeats) and the spam rule that skips a draft are the product's own; screening, the
decision and the send are left out because they call no model.
"""

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from workflows.triage_steps import TriageSteps

with workflow.unsafe.imports_passed_through():
    from models.agent_output import CallRecord
    from models.support import InboundEmail

AGENT_FAILED = "AgentStepFailed"


@workflow.defn
class AgentPathWorkflow(TriageSteps):
    @workflow.run
    async def run(self, email: InboundEmail) -> list[CallRecord]:
        """The calls the activities report; a failed step fails the run (with the
        steps' own reasons), so a benchmark never counts a fallback as a ticket."""
        self._classified = await self._classify(email)
        self._hits = await self._search(email)
        self._drafted = await self._draft_reply(email)
        failed = [f"{d.step}: {d.reason}" for d in self._log.entries if "failed" in d.outcome]
        if failed:
            raise ApplicationError("; ".join(failed), type=AGENT_FAILED, non_retryable=True)
        return self._calls
