"""The mail router: every inbound message, whichever door it came through (the SMTP
listener or the IMAP poll), is one run of this workflow, which tells the run the message
belongs to.

The CRM's message log names the run (`In-Reply-To`/`References` are looked up, never
guessed); `mail_routes.choose_route` decides what the message is. An answer to an
outreach email signals `lead_replied` (an auto-reply is passed on marked as such, so
the run logs why its cadence goes on; one matched by its sender alone as unproven, so
the cadence pauses for a person), unsubscribe wording signals `unsubscribe` and
suppresses the address, a bounce or complaint that cites a message we sent suppresses
the addresses it proves and stops every cadence to them, and an answer to a support
reply reaches its ticket, or, if that ticket is closed, starts a new one carrying the
conversation so far.
"""

from temporalio import workflow

from workflows.lead_outreach import LeadOutreachWorkflow
from workflows.runtime.steps import CRM, ROUTING, attempt, run_step, start_child_once
from workflows.support_triage import SupportTriageWorkflow
from workflows.suppressing import Suppressing

with workflow.unsafe.imports_passed_through():
    from models import activities as act
    from models.routing import (
        ROUTER_PREFIX,
        MailFacts,
        RouteRequest,
        RouteResult,
        SuppressRequest,
    )
    from models.support import (
        TICKET_PREFIX,
        TICKET_SUMMARY,
        InboundEmail,
        TriageInput,
        usable_message_id,
    )
    from models.threads import (
        MAX_REPLY_EXCERPT,
        MAX_THREAD_BODY,
        LeadReply,
        MessageRecord,
        Process,
        SuppressionReason,
        ThreadEntry,
    )
    from policy.mail_routes import Route, choose_route
    from policy.reply_intent import new_text

MAX_SOURCE, MAX_AUTOMATIC = 200, 300
"""What `Suppression.source` and `LeadReply.automatic` (or `unproven`) hold of a route's
reason."""
INBOUND_ID = "<{}.in@flowdesk.invalid>"
"""The log's name for a message that came without a usable Message-ID of its own."""
PROOF = "inbound-mail-needs-proof"
"""Since this change a bounce or complaint acts only on addresses it proves (`MailFacts.
reported`), a bounce only from a mail system, and a mailed unsubscribe only on the run
it proves (`MailFacts.unsubscribe_run`); older runs replay the old rule."""
SENDER_PAUSES = "sender-match-pauses"
"""Since this change an outreach answer matched by its sender alone pauses the cadence
for a person (`LeadReply.unproven`) instead of ending or unsubscribing it."""


@workflow.defn
class MailRouterWorkflow(Suppressing):
    @workflow.run
    async def run(self, request: RouteRequest) -> RouteResult:
        facts: MailFacts = await run_step(
            act.look_up_mail, request, config=ROUTING, summary="look up the conversation"
        )
        proof = workflow.patched(PROOF)
        pauses = workflow.patched(SENDER_PAUSES)
        route = choose_route(request.email, facts, request.options, proof, pauses)
        self._log.add("route", route.kind, route.why)
        if route.kind in ("bounce", "complaint"):
            reported = facts.reported if proof else None
            result = await self._report(request.email, route, reported)
        elif route.kind == "unsubscribe":
            result = await self._unsubscribe(request.email, route, proof)
        elif route.kind in ("outreach_reply", "outreach_auto_reply"):
            result = await self._outreach_reply(request.email, route)
        elif route.kind == "ticket_follow_up":
            result = await self._ticket_follow_up(request, route, facts.thread)
        elif route.kind == "new_ticket":
            result = await self._new_ticket(request, [])
        else:
            result = RouteResult(kind=route.kind, note=route.why)
        self._log.add("outcome", result.kind, result.note or ", ".join(result.runs) or "no run")
        return result

    async def _report(
        self, email: InboundEmail, route: Route, reported: list[str] | None
    ) -> RouteResult:
        """The addresses the report proved (`reported`) are suppressed. Runs started before
        reports had to prove themselves (`reported` None) suppress every address it
        names, or, when it names none, the address of its original message's run."""
        assert email.report is not None
        reason: SuppressionReason = "bounced" if route.kind == "bounce" else "complained"
        source = f"{route.kind} report"
        if reported is None and not email.report.recipients and route.target:
            requests = [SuppressRequest(workflow_id=route.target, reason=reason, source=source)]
        else:
            named = email.report.recipients if reported is None else reported
            requests = [
                SuppressRequest(address=address, reason=reason, source=source, only_if_mailed=True)
                for address in named
            ]
        stopped: list[str] = []
        for suppress in requests:
            stopped += await self._suppress_and_stop(suppress)
        note = f"{len(requests)} address(es) suppressed, {len(stopped)} cadence(s) stopped"
        return RouteResult(kind=route.kind, runs=stopped, note=note)

    async def _unsubscribe(self, email: InboundEmail, route: Route, proof: bool) -> RouteResult:
        """The address the proven run mailed is suppressed; the sender's own address only
        by runs started before unsubscribes had to prove themselves (`PROOF`)."""
        source = route.why[:MAX_SOURCE]
        stopped: list[str] = []
        if not proof:
            stopped = await self._suppress_and_stop(
                SuppressRequest(
                    address=email.sender, reason="unsubscribed", source=source, only_if_mailed=True
                )
            )
        if route.target:
            mailed = SuppressRequest(workflow_id=route.target, reason="unsubscribed", source=source)
            stopped += [r for r in await self._suppress_and_stop(mailed) if r not in stopped]
            await self._record(email, route.target, "outreach")
        return RouteResult(
            kind="unsubscribe", runs=stopped, note=f"{len(stopped)} cadence(s) stopped"
        )

    async def _outreach_reply(self, email: InboundEmail, route: Route) -> RouteResult:
        assert route.target is not None
        automatic = route.why[:MAX_AUTOMATIC] if route.kind == "outreach_auto_reply" else None
        reply = LeadReply(
            message_id=email.message_id,
            subject=email.subject,
            excerpt=new_text(email.body)[:MAX_REPLY_EXCERPT],
            received_at=email.received_at,
            automatic=automatic,
            unproven=None if route.proven else route.why[:MAX_AUTOMATIC],
        )
        await self._record(email, route.target, "outreach")
        if await self._signal(route.target, LeadOutreachWorkflow.lead_replied, reply):
            return RouteResult(kind=route.kind, runs=[route.target])
        return RouteResult(
            kind=route.kind, note="the outreach run had already ended; kept in the CRM log"
        )

    async def _ticket_follow_up(
        self, request: RouteRequest, route: Route, thread: list[ThreadEntry]
    ) -> RouteResult:
        """The open ticket re-triages with the conversation; a closed one is reopened as a
        new ticket that carries it."""
        assert route.target is not None
        email = request.email
        if await self._signal(route.target, SupportTriageWorkflow.customer_replied, email):
            await self._record(email, route.target, "support")
            return RouteResult(kind="ticket_follow_up", runs=[route.target])
        reopened = await self._new_ticket(request, thread)
        return reopened.model_copy(
            update={"kind": "ticket_reopened", "note": f"ticket {route.target} was closed"}
        )

    async def _new_ticket(self, request: RouteRequest, thread: list[ThreadEntry]) -> RouteResult:
        email = request.email.model_copy(update={"thread": thread})
        ticket = TICKET_PREFIX + workflow.info().workflow_id.removeprefix(ROUTER_PREFIX)
        started = await start_child_once(
            SupportTriageWorkflow.run,
            TriageInput(email=email, options=request.options.triage),
            workflow_id=ticket,
            summary=TICKET_SUMMARY,
        )
        if not started:
            note = "the ticket already existed"
        else:
            note = f"{len(thread)} earlier message(s) carried" if thread else ""
        await self._record(email, ticket, "support")
        return RouteResult(kind="new_ticket", runs=[ticket], note=note)

    async def _record(self, email: InboundEmail, workflow_id: str, process: Process) -> None:
        """The message joins its run's log, so a later answer to it finds the run too."""
        record = MessageRecord(
            message_id=usable_message_id(email) or INBOUND_ID.format(workflow.info().workflow_id),
            workflow_id=workflow_id,
            process=process,
            direction="in",
            address=email.sender,
            subject=email.subject,
            body=email.body[:MAX_THREAD_BODY],
        )
        await attempt(
            act.record_inbound_mail,
            record,
            config=CRM,
            summary="log the message in the CRM",
            log=self._log,
            step="crm",
            on_failure="message not logged",
        )
