"""Bounces and complaints, read from the parts mail servers write for machines.

A report suppresses addresses, so only its structured fields count: the per-recipient
blocks of an RFC 3464 delivery status, the feedback fields of an RFC 5965 complaint,
and the `X-Failed-Recipients` header Exim and Gmail add. The human-readable text of a
bounce is worded differently by every server and is never read. A delay or a success
notice is no bounce: it stays an automatic mail, so nothing is suppressed by it.
"""

import re
from collections.abc import Iterator
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from typing import Literal

from adapters.mail.mail import single_address
from adapters.mail.mail_fields import READER, field_values, first_value
from models.threads import DeliveryReport

ReportKind = Literal["bounce", "complaint"]

MAX_RECIPIENTS = 20
"""As many addresses as `DeliveryReport` holds; a longer list is cut, never refused."""
MAX_BLOCKS = 1000
"""Per-recipient blocks read from one report: bounds the work a crafted one can cause."""
MAX_MESSAGE_ID = 998
MESSAGE_ID = re.compile(r"<[^<>\s@]+@[^<>\s]+>")
STATUS_TYPES = ("message/delivery-status", "message/global-delivery-status", "text/delivery-status")
ORIGINAL_TYPES = ("message/rfc822", "message/global", "message/global-headers")
HEADER_TYPES = ("text/rfc822-headers",)
NOT_BOUNCES = frozenset({"delayed", "delivered", "relayed", "expanded"})
"""RFC 3464 actions that leave the address deliverable: a delay may still succeed."""
COMPLAINT_TYPES = frozenset({"abuse", "fraud", "virus", "other"})
"""RFC 5965 feedback types that mean "stop": `not-spam` and `auth-failure` (DMARC
forensic reports) are feedback too, but say nothing against mailing the recipient."""
PERMANENT_STATUS = re.compile(r"5\.\d{1,3}\.\d{1,3}\b")
BLANK_LINES = re.compile(rb"\r?\n(?:[ \t]*\r?\n)+")


def message_ids(value: str) -> list[str]:
    """The `<left@right>` tokens of a header, each once and in order; a comment or a
    phrase around them (older clients write `In-Reply-To: your message of ...`) is
    skipped, and so is a token too long to be a Message-ID or holding undecodable bytes
    (lone surrogates in raw text, which could be neither stored nor looked up)."""
    found = (
        token
        for token in MESSAGE_ID.findall(value)
        if len(token) <= MAX_MESSAGE_ID and token.isprintable()
    )
    return list(dict.fromkeys(found))


def delivery_report(message: Message) -> DeliveryReport | None:
    """The bounce or complaint this message is, or None; never raises, since the parser
    that calls it promises a result for any bytes."""
    try:
        return _report(message)
    except Exception:  # noqa: BLE001 (a report we cannot read is no report)
        return None


def _report(message: Message) -> DeliveryReport | None:
    parts = _report_parts(message)
    kind: ReportKind | None = None
    named: list[str] = []
    report_type = str(message.get_param("report-type") or "").strip().lower() if parts else ""
    if report_type == "delivery-status":
        failed = _failed_recipients(parts)
        if failed is not None:
            kind, named = "bounce", failed
    elif report_type == "feedback-report":
        complained = _complainants(parts)
        if complained is not None:
            kind, named = "complaint", complained
    listed = [value for value in field_values(message, "X-Failed-Recipients") if value.strip()]
    if listed and kind != "complaint":
        kind = "bounce"
        named += [address for _, raw in getaddresses(listed) if (address := _address(raw))]
    if kind is None:
        return None
    original = _original(parts)
    return DeliveryReport(
        kind=kind,
        recipients=list(dict.fromkeys(named))[:MAX_RECIPIENTS],
        original_message_id=_message_id(original) if original is not None else None,
    )


def _report_parts(message: Message) -> list[Message]:
    if message.get_content_type() != "multipart/report" or not message.is_multipart():
        return []
    return [part for part in message.get_payload() if isinstance(part, Message)]


def _failed_recipients(parts: list[Message]) -> list[str] | None:
    """The addresses of the blocks that failed; None when no block failed, so a report
    of delays only, or one without its delivery-status part, is no bounce."""
    status = next((part for part in parts if part.get_content_type() in STATUS_TYPES), None)
    if status is None:
        return None
    failed = [block for block in _blocks(status) if _is_failure(block)]
    if not failed:
        return None
    named: list[str] = []
    for block in failed:
        for field in ("Original-Recipient", "Final-Recipient"):
            named += [address for value in field_values(block, field) if (address := _typed(value))]
        if len(named) >= MAX_RECIPIENTS:
            break
    return named


def _blocks(status: Message) -> Iterator[Message]:
    """Python splits `message/delivery-status` into one message per block, but parses
    `message/global-delivery-status` (RFC 6533) as one message whose body holds every
    block after the first, and `text/delivery-status` (which some servers send) not at
    all, so those are split here, from their bytes: the text would have lost a UTF-8
    address (the reason the global format exists) to replacement characters."""
    payload = status.get_payload()
    if isinstance(payload, list):
        blocks = [block for block in payload if isinstance(block, Message)][:MAX_BLOCKS]
        yield from blocks
        rest = blocks[0].get_payload(decode=True) if len(blocks) == 1 else None
    else:
        rest = status.get_payload(decode=True)
    if not isinstance(rest, bytes) or not rest.strip():
        return
    parser = BytesHeaderParser(policy=READER)
    for text in BLANK_LINES.split(rest.strip())[:MAX_BLOCKS]:
        yield parser.parsebytes(text)


def _is_failure(block: Message) -> bool:
    """`Action: failed` decides; an action that names no outcome (missing, misspelt)
    leaves it to a permanent (5.x.x) status."""
    action = first_value(block, "Action").split(";")[0].strip().lower()
    if action == "failed":
        return True
    if action in NOT_BOUNCES:
        return False
    return PERMANENT_STATUS.match(first_value(block, "Status").strip()) is not None


def _complainants(parts: list[Message]) -> list[str] | None:
    """`Original-Rcpt-To` of the feedback part, else the single `To` of the reported
    message; None when the feedback part is missing or reports no complaint."""
    feedback = next(
        (part for part in parts if part.get_content_type() == "message/feedback-report"), None
    )
    fields = next(_blocks(feedback), None) if feedback is not None else None
    if (
        fields is None
        or first_value(fields, "Feedback-Type").strip().lower() not in COMPLAINT_TYPES
    ):
        return None
    named = [
        address
        for _, raw in getaddresses(field_values(fields, "Original-Rcpt-To"))
        if (address := _address(raw))
    ]
    original = _original(parts)
    if not named and original is not None:
        to = _address(first_value(original, "To"))
        named = [to] if to else []
    return named


def _original(parts: list[Message]) -> Message | None:
    """The reported message, whole or headers only, as the report embeds it."""
    for part in parts:
        kind = part.get_content_type()
        if kind in ORIGINAL_TYPES and isinstance(part.get_payload(), list):
            return next((m for m in part.get_payload() if isinstance(m, Message)), None)
        if kind in HEADER_TYPES:
            raw = part.get_payload(decode=True)
            if isinstance(raw, bytes):
                return BytesHeaderParser(policy=READER).parsebytes(raw)
    return None


def _message_id(original: Message) -> str | None:
    found = message_ids(first_value(original, "Message-ID"))
    return found[0] if found else None


def _typed(value: str) -> str | None:
    """An address of a delivery-status field, `rfc822; kim@acme.example` (or `utf-8;`)."""
    return _address(value.rpartition(";")[2])


def _address(value: str) -> str | None:
    """One valid address, lowercased; undecodable bytes (which the parser turns into
    U+FFFD or lone surrogates) make it unusable: a near miss would suppress a stranger."""
    address = single_address(value.strip())
    if address is None or not address.isprintable() or "\ufffd" in address:
        return None
    return address.lower()
