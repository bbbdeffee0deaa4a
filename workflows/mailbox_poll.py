"""One poll of the production support mailbox: unseen mail in, one ticket run per message.

A Temporal Schedule (`inbound.schedule`) starts this run every `imap_poll_seconds`; its
skip policy means one poll at a time. Each message becomes a child `SupportTriageWorkflow`
under its ticket id (from the Message-ID, as the SMTP door does), abandoned on close
so the ticket outlives the poll, and never run twice: a ticket id that exists, even
closed, is refused by Temporal and counts as started. Messages are marked seen only
after every start was acknowledged; a poll that fails before that leaves them unseen
for the next one, which finds their tickets already started.
"""

import asyncio

from temporalio import workflow
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from workflows.steps import BAD_INPUT, MAIL, run_step
from workflows.support_triage import SupportTriageWorkflow

with workflow.unsafe.imports_passed_through():
    from activities.imap import MailboxActivities
    from models.mailbox import MailboxPollInput, MailboxPollResult, MarkSeen
    from models.support import (
        TICKET_SUMMARY,
        InboundEmail,
        TriageInput,
        TriageOptions,
        ticket_workflow_id,
    )


@workflow.defn(failure_exception_types=BAD_INPUT)
class MailboxPollWorkflow:
    @workflow.run
    async def run(self, request: MailboxPollInput) -> MailboxPollResult:
        batch = await run_step(
            MailboxActivities.fetch_unseen, request.batch, MAIL, "Fetch unseen support mail"
        )
        tickets = [ticket_workflow_id(mail.email) for mail in batch.messages]
        new = await asyncio.gather(
            *(
                self._start_ticket(ticket, mail.email, request.options)
                for ticket, mail in zip(tickets, batch.messages, strict=True)
            )
        )
        marked = 0
        if batch.messages:
            seen = MarkSeen(uidvalidity=batch.uidvalidity, uids=[m.uid for m in batch.messages])
            marked = await run_step(MailboxActivities.mark_seen, seen, MAIL, "Mark mail seen")
        result = MailboxPollResult(
            started=[t for t, is_new in zip(tickets, new, strict=True) if is_new],
            existing=[t for t, is_new in zip(tickets, new, strict=True) if not is_new],
            marked=marked,
        )
        workflow.logger.info(
            "mailbox poll: %d new tickets, %d already started, %d marked seen",
            len(result.started),
            len(result.existing),
            marked,
        )
        return result

    async def _start_ticket(self, ticket: str, email: InboundEmail, options: TriageOptions) -> bool:
        """True when this poll started the ticket run, False when it already existed."""
        try:
            await workflow.start_child_workflow(
                SupportTriageWorkflow.run,
                TriageInput(email=email, options=options),
                id=ticket,
                parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                static_summary=TICKET_SUMMARY,
            )
            return True
        except WorkflowAlreadyStartedError:
            return False
