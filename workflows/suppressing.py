"""Suppressing an address and stopping every cadence to it, and the one-click unsubscribe
run that does only that.

The suppression list keeps any run, old or new, from sending to the address again (every
send consults it); the signal ends the outreach runs already waiting for their next
slot, so their history says why they stopped. Both the mail router (bounces, complaints,
unsubscribe answers) and the web's one-click link come through here.
"""

from temporalio import workflow
from temporalio.exceptions import FailureError

from workflows.lead_outreach import LeadOutreachWorkflow
from workflows.runtime.decision_log import DecisionLog
from workflows.runtime.steps import ROUTING, run_step

with workflow.unsafe.imports_passed_through():
    from models import activities as act
    from models.routing import OneClickRequest, RouteResult, SuppressRequest

UNSUBSCRIBE_SUMMARY = "One-click unsubscribe"


class Suppressing:
    def __init__(self) -> None:
        self._log = DecisionLog()

    async def _suppress_and_stop(self, request: SuppressRequest) -> list[str]:
        """Suppress, then stop every outreach run that mailed the address: the list keeps
        new runs from sending, the signal ends the ones already waiting for their slot."""
        done = await run_step(
            act.suppress_address, request, config=ROUTING, summary=f"suppress ({request.reason})"
        )
        if not done.found:
            self._log.add("suppress", "skipped", "no address to suppress")
            return []
        self._log.add("suppress", request.reason, "new" if done.newly else "already on the list")
        stopped = []
        for run in done.outreach_runs:
            if request.reason == "bounced":
                sent = await self._signal(run, LeadOutreachWorkflow.bounced, None)
            else:
                sent = await self._signal(run, LeadOutreachWorkflow.unsubscribe, request.source)
            if sent:
                stopped.append(run)
        return stopped

    async def _signal(self, workflow_id: str, signal: object, arg: object) -> bool:
        """False when the run has ended (or never existed): signals reach open runs only."""
        handle = workflow.get_external_workflow_handle(workflow_id)
        try:
            if arg is None:
                await handle.signal(signal)  # type: ignore[arg-type]
            else:
                await handle.signal(signal, arg)  # type: ignore[arg-type]
        except FailureError:
            self._log.add("signal", "not delivered", f"{workflow_id} has ended")
            return False
        self._log.add("signal", "delivered", workflow_id)
        return True


@workflow.defn
class UnsubscribeWorkflow(Suppressing):
    """Started by the web service for a verified link: the address the run mailed is
    suppressed and that run (with any other cadence to the address) is stopped. Runs
    already ended are simply not signalled: the suppression is what counts."""

    @workflow.run
    async def run(self, request: OneClickRequest) -> RouteResult:
        suppress = SuppressRequest(
            workflow_id=request.workflow_id, reason="unsubscribed", source=request.source
        )
        stopped = await self._suppress_and_stop(suppress)
        note = f"{len(stopped)} cadence(s) stopped"
        self._log.add("outcome", "unsubscribed", note)
        return RouteResult(kind="unsubscribe", runs=stopped, note=note)
