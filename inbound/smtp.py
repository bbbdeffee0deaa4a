"""The SMTP door: each message for one of our addresses becomes one mail-router run.

Our addresses are the support address, the address outreach is sent from (where leads
answer and bounces return) and the unsubscribe address of `List-Unsubscribe`; the
router (`workflows.mail_router`) decides whether the message is a ticket, an answer to
a run, an unsubscribe or a bounce. The sending server is told `250` only once Temporal
has the router run (or already had it: its id comes from the Message-ID, so a
redelivered message is routed once). When the run cannot be started, whatever the
reason, the answer is `451`: the sender keeps the message and retries, so no mail is
lost silently. Any other address gets `550`, and a message over `MAX_RAW_BYTES`, the
most `parse_email` reads, is refused with `552` before it is stored.

Each message is read by `inbound.reading.MailReader` in a child process with a time
budget, so a message crafted to be slow to parse costs its own sender a raw-text ticket,
never the other clients their turn.

aiosmtpd's `SMTP` protocol is served on the caller's event loop (what aiosmtpd's
threaded `Controller` does on a loop of its own), so the handler awaits the Temporal
client on the loop that created it. Logs name the router run only, never an address
or a subject; aiosmtpd's own log, which names sender and recipients, is kept to
warnings.
"""

import asyncio
import logging
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from temporalio.client import Client
from temporalio.service import RPCError

from adapters.mail.inbound_mail import MAX_RAW_BYTES
from adapters.mail.mail import envelope_sender
from client.submit import submit_mail
from inbound.reading import MailReader
from inbound.smtp_data import BlockDataSMTP
from models.routing import RouteOptions

log = logging.getLogger("flowdesk.inbound")
AIOSMTPD_LOG = "mail.log"
ACCEPTED = "250 2.0.0 Message accepted as {}"
NO_MAILBOX = "550 5.1.1 No such mailbox here"
TRY_LATER = "451 4.3.0 Message could not be routed, try again later"


class Inbox:
    """The aiosmtpd handler: accepts our addresses and starts one router run per message."""

    def __init__(
        self,
        client: Client,
        task_queue: str,
        options: RouteOptions,
        reply_address: str,
        id_key: bytes,
        reader: MailReader | None = None,
    ) -> None:
        self.client = client
        self.reader = reader or MailReader()
        self.task_queue = task_queue
        self.options = options
        self.id_key = id_key
        self.addresses = {
            a.casefold()
            for a in (options.support_address, options.unsubscribe_address, reply_address)
        }

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.casefold() not in self.addresses:
            return NO_MAILBOX
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        try:
            email = await self.reader.read(envelope.original_content or b"")
            email = email.model_copy(
                update={
                    "recipient": envelope.rcpt_tos[0].casefold(),
                    "envelope_sender": envelope_sender(envelope.mail_from or ""),
                }
            )
            submitted = await submit_mail(
                self.client, self.task_queue, email, self.options, self.id_key
            )
        except Exception as err:  # every failure to start is temporary to the sender
            log.error("mail not routed (%s): answered 451", _reason(err))
            return TRY_LATER
        run = submitted.handle.id
        if submitted.existing:
            log.info("mail %s already routed: no new run", run)
        else:
            log.info("mail %s routing", run)
        return ACCEPTED.format(run)

    def close(self) -> None:
        """Stops the processes that read mail."""
        self.reader.close()


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
        lambda: BlockDataSMTP(
            handler,
            data_size_limit=MAX_RAW_BYTES,
            enable_SMTPUTF8=True,
            hostname=hostname,
            loop=loop,
        ),
        host=host,
        port=port,
    )
