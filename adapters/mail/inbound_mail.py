"""RFC 822 parsing of inbound support mail (stdlib `email`), tolerant of what arrives.

Whatever the bytes, the result is an `InboundEmail`: undecodable parts are decoded
with replacement characters and flagged, HTML-only mail is reduced to text, and an
oversized body is cut and flagged, so the workflow never sees a crash, only a
`parse_problem` that sends the ticket to a person.

The work is bounded by the message's size, not by its shape, since anyone can send one:
each header field is cut as it is read (`mail_fields`), a message of more than
`MAX_BOUNDARY_LINES` MIME boundaries is read as headers and raw text, and HTML is
reduced to text in one pass.
"""

import codecs
import html
import re
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.utils import parsedate_to_datetime

from adapters.mail.delivery_reports import delivery_report, message_ids
from adapters.mail.mail import envelope_sender, single_address
from adapters.mail.mail_fields import bounded_policy, first_value
from models.support import MAX_BODY_CHARS, InboundEmail
from models.threads import MAX_REFERENCES

MAX_RAW_BYTES = 2_000_000
MAX_CHARSET_NAME = 40
MAX_HTML_CHARS = 20 * MAX_BODY_CHARS
"""Of markup reduced to text: room for heavy mail styling around a body we keep at most
`MAX_BODY_CHARS` of."""
MAX_BOUNDARY_LINES = 500
"""Lines that may open a MIME part; past this the parts are not parsed (the parser's
time grows with their number, and no real mail comes near it)."""
RAW_TEXT = re.compile(r"<(/?)(script|style)\b[^<>]*>?", re.I)
TAG = re.compile(r"<[^<>]*>")
"""A tag cannot contain `<`, so each `<` is scanned to the next one at most: linear."""
BREAKS = re.compile(r"<br\s*/?>|</p>|</div>|</li>", re.I)
BLANKS = re.compile(r"\n[ \t\r\f\v]*\n(?:[ \t\r\f\v]*\n)+")
UNKNOWN_SENDER = "unknown@sender.invalid"


def html_to_text(markup: str) -> str:
    """Text of the markup in one pass: script and style content dropped (an unclosed one
    to the end, as a browser does), tags removed, line-ending tags kept as breaks."""
    text = BREAKS.sub("\n", _without_raw_text(markup[:MAX_HTML_CHARS]))
    return BLANKS.sub("\n\n", html.unescape(TAG.sub("", text))).strip()


def _without_raw_text(markup: str) -> str:
    kept, start, inside = [], 0, None
    for tag in RAW_TEXT.finditer(markup):
        closing, name = tag.group(1) == "/", tag.group(2).lower()
        if inside is None and not closing:
            kept.append(markup[start : tag.start()])
            inside = name
        elif inside == name and closing:
            start, inside = tag.end(), None
    if inside is None:
        kept.append(markup[start:])
    return "".join(kept)


def boundary_lines(raw: bytes) -> int:
    """Lines that may open a MIME part: what the parser's work grows with, counted
    without parsing."""
    return raw.count(b"\n--")


def clean_text(text: str) -> str:
    """Lone surrogates (what a `unicode_escape` "charset" can produce) become `?`: the
    text must be valid Unicode to be stored, compared and sent on."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _decode(part: EmailMessage) -> tuple[str, str | None]:
    """The problem names the charset, cut to `MAX_CHARSET_NAME`: the sender chooses it,
    and a person reads the problem on the ticket."""
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        if "escape" in codecs.lookup(charset).name:
            raise LookupError(charset)
        return clean_text(payload.decode(charset)), None
    except (LookupError, UnicodeError):
        named = charset[:MAX_CHARSET_NAME] + ("…" if len(charset) > MAX_CHARSET_NAME else "")
        return payload.decode("utf-8", errors="replace"), f"undecodable {named} text"


def _body(message: EmailMessage) -> tuple[str, str | None]:
    plain = message.get_body(preferencelist=("plain",))
    if plain is not None:
        return _decode(plain)  # type: ignore[arg-type]
    rich = message.get_body(preferencelist=("html",))
    if rich is not None:
        text, problem = _decode(rich)  # type: ignore[arg-type]
        return html_to_text(text), problem
    return "", None


AUTOMATIC_HEADERS = {
    "auto-submitted": re.compile(r"^(?!no\b)\S", re.I),
    "x-autoreply": re.compile(r"\S"),
    "x-autorespond": re.compile(r"\S"),
    "x-auto-response-suppress": re.compile(r"\b(all|oof|autoreply)\b", re.I),
    "precedence": re.compile(r"^(bulk|junk|list|auto_reply)\b", re.I),
}
"""RFC 3834 and the de-facto headers auto-responders set; answering them loops mail."""


def header(message: EmailMessage, name: str) -> str:
    """The header's text, or its raw value when the parser cannot read it (some malformed
    headers, e.g. `Message-ID: <`, make the standard library raise instead)."""
    return clean_text(first_value(message, name))


def raw_header(message: EmailMessage, name: str) -> str:
    return str(next((v for k, v in message.raw_items() if k.lower() == name.lower()), ""))


def automatic(message: EmailMessage) -> str | None:
    """Why the headers mark this mail as machine-sent, or None."""
    for name, pattern in AUTOMATIC_HEADERS.items():
        value = header(message, name).strip()
        if value and pattern.search(value):
            return f"{name}: {value[:60]}"
    if message.get_content_type() == "multipart/report":
        return "delivery status report (multipart/report)"
    return None


def parse_email(raw: bytes) -> InboundEmail:
    """Never raises: a message the parser cannot read at all becomes a ticket whose body
    is the raw text, flagged for a person."""
    try:
        return _parse(raw)
    except Exception as err:  # noqa: BLE001 (the promise: a ticket, never a crash)
        return raw_text_ticket(raw, f"unreadable message ({type(err).__name__})")


def raw_text_ticket(raw: bytes, problem: str) -> InboundEmail:
    """What a person gets for a message that could not be read: its bytes as text."""
    return InboundEmail(
        sender=UNKNOWN_SENDER,
        body=clean_text(raw[:MAX_BODY_CHARS].decode("utf-8", "replace")),
        parse_problem=f"{problem}; shown as raw text",
    )


def _parse(raw: bytes) -> InboundEmail:
    problems: list[str] = []
    if len(raw) > MAX_RAW_BYTES:
        problems.append(f"message is {len(raw)} bytes; only the first {MAX_RAW_BYTES} were read")
        raw = raw[:MAX_RAW_BYTES]
    bounded = bounded_policy()
    if boundary_lines(raw) > MAX_BOUNDARY_LINES:
        message = BytesHeaderParser(policy=bounded).parsebytes(raw)
        body = clean_text(str(message.get_payload()))
        problems.append(f"over {MAX_BOUNDARY_LINES} MIME boundaries; the body is raw text")
    else:
        message = BytesParser(policy=bounded).parsebytes(raw)
        body, problem = _body(message)  # type: ignore[arg-type]
        if problem:
            problems.append(problem)
    if bounded.budget and bounded.budget.cut:
        cut = ", ".join(sorted(set(bounded.budget.cut)))[:200]
        problems.append(f"over-long header field(s) cut: {cut}")
    if len(body) > MAX_BODY_CHARS:
        problems.append(f"body is {len(body)} characters; cut to {MAX_BODY_CHARS}")
        body = body[:MAX_BODY_CHARS]
    sender = single_address(header(message, "From"))
    if sender is None:
        problems.append("no usable sender address (From must be exactly one address)")
    received = None
    try:
        if date := header(message, "Date"):
            received = parsedate_to_datetime(date)
            received = received if received.tzinfo else None
    except (TypeError, ValueError):
        received = None
    return InboundEmail(
        sender=sender or UNKNOWN_SENDER,
        subject=" ".join(header(message, "Subject").split())[:998],
        body=body.strip(),
        message_id=_header(message, "Message-ID"),
        in_reply_to=_header(message, "In-Reply-To"),
        received_at=received,
        parse_problem="; ".join(problems) or None,
        automatic=automatic(message),
        references=references(message),
        report=delivery_report(message),
        recipient=recipient(message),
        envelope_sender=envelope_sender(header(message, "Return-Path")),
    )


def references(message: EmailMessage) -> list[str]:
    """The parent (`In-Reply-To`) first, then the `References` chain, each id once. A
    chain longer than the cap loses its oldest ids: the newest are the ones a run's
    message log most likely holds. Read raw: ids are plain ASCII, and the header parser
    takes seconds on a crafted megabyte-long chain."""
    parent = message_ids(raw_header(message, "In-Reply-To"))[:1]
    chain = [
        found for found in message_ids(raw_header(message, "References")) if found not in parent
    ]
    return parent + chain[-(MAX_REFERENCES - len(parent)) :]


def recipient(message: EmailMessage) -> str | None:
    """`Delivered-To` names the mailbox that took the mail; `To` counts only when it is
    one address, since a mail to several says nothing about which of ours it reached."""
    return single_address(header(message, "Delivered-To")) or single_address(header(message, "To"))


def _header(message: EmailMessage, name: str) -> str | None:
    return header(message, name).strip()[:998] or None
