"""One poll of the production mailbox: unseen mail in, one mail-router run per message.

A Temporal Schedule (`client.schedules`) starts this run every `imap_poll_seconds`; its
skip policy means one poll at a time. Each message becomes a child `MailRouterWorkflow`
under its router id (from the Message-ID, as the SMTP door does), abandoned on close
so the routing outlives the poll, and never run twice: an id that exists, even
closed, is refused by Temporal and counts as started. (Schedules written before the
router start a `SupportTriageWorkflow` per message instead, as they always did.) Messages are marked seen only
after every start was acknowledged; a poll that fails before that leaves them unseen
for the next one, which finds their tickets already started.
"""

import asyncio

from temporalio import workflow

from workflows.mail_router import MailRouterWorkflow
from workflows.runtime.steps import MAIL, run_step, start_child_once
from workflows.support_triage import SupportTriageWorkflow

with workflow.unsafe.imports_passed_through():
    from models import activities as act
    from models.mailbox import FetchedMail, MailboxPollInput, MailboxPollResult, MarkSeen
    from models.routing import ROUTER_PREFIX, ROUTER_SUMMARY, RouteRequest
    from models.support import (
        TICKET_PREFIX,
        TICKET_SUMMARY,
        TriageInput,
        unkeyed_message_digest,
    )


def _digest(mail: FetchedMail) -> str:
    """The fetch names each message under the id secret; a poll recorded before ids were
    keyed replays with the unkeyed digest it used then."""
    return mail.digest or unkeyed_message_digest(mail.email)


@workflow.defn
class MailboxPollWorkflow:
    @workflow.run
    async def run(self, request: MailboxPollInput) -> MailboxPollResult:
        batch = await run_step(
            act.fetch_unseen_mail, request.batch, config=MAIL, summary="Fetch unseen support mail"
        )
        if request.routing is not None:
            routing = request.routing
            tickets = [ROUTER_PREFIX + _digest(mail) for mail in batch.messages]
            starts = [
                start_child_once(
                    MailRouterWorkflow.run,
                    RouteRequest(email=mail.email, options=routing),
                    workflow_id=run,
                    summary=ROUTER_SUMMARY,
                )
                for run, mail in zip(tickets, batch.messages, strict=True)
            ]
        else:
            tickets = [TICKET_PREFIX + _digest(mail) for mail in batch.messages]
            starts = [
                start_child_once(
                    SupportTriageWorkflow.run,
                    TriageInput(email=mail.email, options=request.options),
                    workflow_id=ticket,
                    summary=TICKET_SUMMARY,
                )
                for ticket, mail in zip(tickets, batch.messages, strict=True)
            ]
        new = await asyncio.gather(*starts)
        marked = 0
        if batch.messages:
            seen = MarkSeen(uidvalidity=batch.uidvalidity, uids=[m.uid for m in batch.messages])
            marked = await run_step(act.mark_mail_seen, seen, config=MAIL, summary="Mark mail seen")
        result = MailboxPollResult(
            started=[t for t, is_new in zip(tickets, new, strict=True) if is_new],
            existing=[t for t, is_new in zip(tickets, new, strict=True) if not is_new],
            marked=marked,
        )
        workflow.logger.info(
            "mailbox poll: %d new runs, %d already started, %d marked seen",
            len(result.started),
            len(result.existing),
            marked,
        )
        return result
