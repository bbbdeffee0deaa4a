"""The CRM lookups and writes of the mail router: which run a message belongs to, the
message log, and the suppression list.

The router's decisions are the workflow's (`policy.mail_routes`); these activities
only read and write the CRM, so a routing rule changes without touching storage and
the storage (SQLite today, PostgreSQL later) without touching a rule.
"""

from dataclasses import dataclass, field

from temporalio import activity

from activities.wrapping import adapter_errors
from adapters.crm.crm import Crm
from adapters.mail.unsubscribe_links import UnsubscribeLinks
from models.routing import MailFacts, RouteRequest, Suppressed, SuppressRequest
from models.threads import (
    MAX_THREAD_ENTRIES,
    MessageRecord,
    Process,
    RunRef,
    Suppression,
    SuppressionReason,
)

MAILED: tuple[Process, ...] = ("outreach", "intake", "support")


def referenced_ids(request: RouteRequest) -> list[str]:
    """The Message-IDs that can name the run, newest last: `References`/`In-Reply-To`,
    then the original message a bounce or complaint reports on."""
    email = request.email
    ids = list(email.references)
    if email.report and email.report.original_message_id:
        ids.append(email.report.original_message_id)
    return ids


@dataclass
class MailRoutingActivities:
    crm: Crm
    links: UnsubscribeLinks | None = field(default=None)
    """Verifies the token of a mailed unsubscribe; without it only an answer to our
    message proves one."""

    @activity.defn(name="look_up_mail")
    async def look_up_mail(self, request: RouteRequest) -> MailFacts:
        """The sender fallback is skipped for mail to the support address: a lead who
        writes to support with a question has not answered the outreach."""
        email = request.email
        to_support = (
            email.recipient or ""
        ).casefold() == request.options.support_address.casefold()
        with adapter_errors():
            ids = referenced_ids(request)
            run = await self.crm.find_run(ids) if ids else None
            fallback = [] if to_support else await self.crm.runs_to(email.sender, "outreach")
            thread = []
            if run is not None and run.process == "support":
                thread = await self.crm.thread(run.workflow_id, MAX_THREAD_ENTRIES)
            reported = await self._reported(request) if email.report else []
            to_unsubscribe = (
                email.recipient or ""
            ).casefold() == request.options.unsubscribe_address.casefold()
            unsubscribe = await self._unsubscribe_run(request, run) if to_unsubscribe else None
        return MailFacts(
            run=run, sender_outreach=fallback, thread=thread, reported=reported,
            unsubscribe_run=unsubscribe,
        )  # fmt: skip

    async def _unsubscribe_run(self, request: RouteRequest, run: RunRef | None) -> str | None:
        """Anyone can mail the unsubscribe address in anyone's name; what proves the
        request is the token our `List-Unsubscribe` mailto put in its subject, or an
        answer to one of our messages to the sender."""
        email = request.email
        if self.links is not None and (found := self.links.find(f"{email.subject}\n{email.body}")):
            return found
        if run is not None and email.sender.casefold() in await self.crm.sent_to(email.references):
            return run.workflow_id
        return None

    async def _reported(self, request: RouteRequest) -> list[str]:
        """Anyone can write a report naming any address; it may act only on addresses the
        messages it cites were sent to, which only a real report of ours can cite."""
        report = request.email.report
        assert report is not None
        sent = await self.crm.sent_to(referenced_ids(request))
        named = {address.casefold() for address in report.recipients}
        return [address for address in sent if not named or address in named]

    @activity.defn(name="record_inbound_mail")
    async def record_inbound_mail(self, record: MessageRecord) -> bool:
        with adapter_errors():
            return await self.crm.record_message(record)

    @activity.defn(name="suppress_address")
    async def suppress_address(self, request: SuppressRequest) -> Suppressed:
        """Adds the address to the suppression list and names every outreach run that
        mailed it, so the router can stop them all, not only the one answered."""
        with adapter_errors():
            address = request.address
            if address is None and request.workflow_id is not None:
                address = await self.crm.address_of(request.workflow_id)
            if address is None or (request.only_if_mailed and not await self._mailed(address)):
                return Suppressed(newly=False, outreach_runs=[], found=False)
            suppression = Suppression(address=address, reason=request.reason, source=request.source)
            newly = await self.crm.suppress(suppression)
            runs = await self.crm.runs_to(address, "outreach")
        return Suppressed(newly=newly, outreach_runs=runs)

    async def _mailed(self, address: str) -> bool:
        """A bounce or an unsubscribe mail names addresses in text anyone can write; only
        one we have sent to is ours to suppress."""
        for process in MAILED:
            if await self.crm.runs_to(address, process):
                return True
        return False

    @activity.defn(name="suppression_of")
    async def suppression_of(self, address: str) -> SuppressionReason | None:
        with adapter_errors():
            return await self.crm.suppression(address)

    def definitions(self) -> list:
        return [
            self.look_up_mail,
            self.record_inbound_mail,
            self.suppress_address,
            self.suppression_of,
        ]
