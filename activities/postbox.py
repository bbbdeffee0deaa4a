"""The one way mail leaves: every activity that sends calls `Postbox.send`, never a
transport, so no process can forget the suppression list, the message log or the
unsubscribe headers.

The Message-ID is logged before the transport is called: an answer can then never
arrive before the CRM knows its thread. A send that fails after the log write leaves a
logged message that was never delivered; the retry sends it under the same key and
the same Message-ID, so the log is right again.
"""

from activities import metrics
from adapters.crm.crm import Crm
from adapters.errors import Permanent
from adapters.mail.mail import MailTransport, message_id, recipient
from adapters.mail.unsubscribe_links import UnsubscribeLinks
from models.activities import SUPPRESSED
from models.common import OutgoingEmail, SendResult
from models.threads import MAX_THREAD_BODY, MessageRecord, Process, SuppressionReason

ANSWERS: set[Process] = {"support", "notice"}
"""Mail a person asked for (the answer to their ticket, an on-call notice): only a bounce
stops it. Unsubscribing from outreach, or reporting it as spam, must not leave a
customer's support question unanswered."""


def refuses(process: Process, reason: SuppressionReason) -> bool:
    return reason == "bounced" or process not in ANSWERS


class Postbox:
    def __init__(self, transport: MailTransport, crm: Crm, links: UnsubscribeLinks) -> None:
        self._transport = transport
        self._crm = crm
        self._links = links

    async def send(self, message: OutgoingEmail, workflow_id: str, process: Process) -> SendResult:
        """Only outreach mail offers an unsubscribe: a support answer or a welcome is
        what the person asked for, not a list they are on."""
        address = recipient(message)
        reason = await self._crm.suppression(address)
        if reason is not None and refuses(process, reason):
            metrics.email_refused(process, reason)
            raise Permanent(
                SUPPRESSED,
                f"the address is on the suppression list ({reason}); nothing was sent",
            )
        if process == "outreach":
            message = message.model_copy(
                update={"list_unsubscribe": self._links.offer(workflow_id)}
            )
        await self._crm.record_message(
            MessageRecord(
                message_id=message_id(message.idempotency_key, self._transport.sender),
                workflow_id=workflow_id,
                process=process,
                direction="out",
                address=address,
                subject=message.subject,
                body=message.body[:MAX_THREAD_BODY],
            )
        )
        sent = await self._transport.send(message)
        metrics.email_sent(process, sent)
        return sent
