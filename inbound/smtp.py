"""The SMTP door: mail for the support address becomes one support-triage run.

The sending server is told `250` only once Temporal has the run (or already had it:
the ticket id comes from the Message-ID, so a redelivered message is one ticket).
When the run cannot be started, whatever the reason, the answer is `451`: the sender
keeps the message and retries, so no mail is lost silently. Only the support address
is accepted (`550` for any other), and a message over `MAX_RAW_BYTES`, the most
`parse_email` reads, is refused with `552` before it is stored.

aiosmtpd's `SMTP` protocol is served on the caller's event loop (what aiosmtpd's
threaded `Controller` does on a loop of its own), so the handler awaits the Temporal
client on the loop that created it. Logs name the ticket id only, never an address
or a subject; aiosmtpd's own log, which names sender and recipients, is kept to
warnings.
"""

import asyncio
import logging
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from temporalio.client import Client
from temporalio.service import RPCError

from activities.inbound_mail import MAX_RAW_BYTES, parse_email
from client.submit import submit_ticket
from models.support import TriageOptions, ticket_workflow_id

log = logging.getLogger("flowdesk.inbound")
AIOSMTPD_LOG = "mail.log"
ACCEPTED = "250 2.0.0 Ticket {} accepted"
NO_MAILBOX = "550 5.1.1 No such mailbox here: only the support address takes mail"
TRY_LATER = "451 4.3.0 Ticket could not be started, try again later"


class SupportInbox:
    """The aiosmtpd handler: accepts the support address and starts one ticket per message."""

    def __init__(
        self, client: Client, task_queue: str, options: TriageOptions, support_address: str
    ) -> None:
        self.client = client
        self.task_queue = task_queue
        self.options = options
        self.support_address = support_address.casefold()

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.casefold() != self.support_address:
            return NO_MAILBOX
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        ticket = "unparsed"
        try:
            email = parse_email(envelope.original_content or b"")
            ticket = ticket_workflow_id(email)
            submitted = await submit_ticket(self.client, self.task_queue, email, self.options)
        except Exception as err:  # every failure to start is temporary to the sender
            log.error("ticket %s not started (%s): answered 451", ticket, _reason(err))
            return TRY_LATER
        if submitted.existing:
            log.info("ticket %s already started: no new run", ticket)
        else:
            log.info("ticket %s started", ticket)
        return ACCEPTED.format(ticket)


def _reason(err: Exception) -> str:
    """The error's kind, never its text: that may quote the message."""
    if isinstance(err, RPCError):
        return f"Temporal {err.status.name}"
    return type(err).__name__


async def listen(handler: Any, host: str, port: int, hostname: str) -> asyncio.Server:
    """Serve SMTP with `handler` on the running loop; port 0 picks a free port."""
    logging.getLogger(AIOSMTPD_LOG).setLevel(logging.WARNING)
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: SMTP(
            handler,
            data_size_limit=MAX_RAW_BYTES,
            enable_SMTPUTF8=True,
            hostname=hostname,
            loop=loop,
        ),
        host=host,
        port=port,
    )
