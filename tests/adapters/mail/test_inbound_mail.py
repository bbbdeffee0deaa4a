"""Parsing inbound RFC 822 mail: every shape ends as an InboundEmail, never an exception."""

from email.message import EmailMessage

import pytest

from adapters.mail.inbound_mail import parse_email
from models.support import MAX_BODY_CHARS
from models.threads import MAX_REFERENCES


def message(**headers: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = headers.get("sender", "Kim Lee <kim@acme.example>")
    mail["Subject"] = headers.get("subject", "Invoice question")
    mail["Message-ID"] = "<abc@acme.example>"
    mail["In-Reply-To"] = "<prev@flowdesk.example>"
    mail["Date"] = "Tue, 24 Nov 2026 10:00:00 +0100"
    return mail


def test_plain_text_mail():
    mail = message()
    mail.set_content("Where is my invoice?\n")
    parsed = parse_email(bytes(mail))
    assert parsed.sender == "kim@acme.example"
    assert parsed.subject == "Invoice question"
    assert parsed.body == "Where is my invoice?"
    assert parsed.message_id == "<abc@acme.example>"
    assert parsed.in_reply_to == "<prev@flowdesk.example>"
    assert parsed.received_at is not None and parsed.parse_problem is None
    assert parsed.references == ["<prev@flowdesk.example>"] and parsed.report is None


def test_multipart_prefers_plain_text():
    mail = message()
    mail.set_content("plain version")
    mail.add_alternative("<p>html <b>version</b></p>", subtype="html")
    assert parse_email(bytes(mail)).body == "plain version"


def test_html_only_mail_becomes_text():
    mail = message()
    mail.set_content(
        "<html><style>p{}</style><p>Hello &amp; welcome</p><p>Line two<br>three</p>"
        "<script>alert(1)</script></html>",
        subtype="html",
    )
    body = parse_email(bytes(mail)).body
    assert body.splitlines() == ["Hello & welcome", "Line two", "three"]


def test_empty_mail_is_empty_not_an_error():
    parsed = parse_email(b"From: a@b.example\r\nSubject: \r\n\r\n")
    assert parsed.body == "" and parsed.parse_problem is None


def test_undecodable_charset_is_flagged():
    raw = (
        b"From: a@b.example\r\nSubject: x\r\nContent-Type: text/plain; charset=klingon\r\n\r\n"
        b"caf\xe9 \xff\r\n"
    )
    parsed = parse_email(raw)
    assert "undecodable klingon" in (parsed.parse_problem or "")
    assert parsed.body.startswith("caf")


def test_oversized_body_is_cut_and_flagged():
    mail = message()
    mail.set_content("a" * (MAX_BODY_CHARS + 100))
    parsed = parse_email(bytes(mail))
    assert len(parsed.body) == MAX_BODY_CHARS
    assert "cut to" in (parsed.parse_problem or "")


def test_garbage_bytes_still_parse():
    parsed = parse_email(b"\x00\xff\xfe not an email at all")
    assert parsed.sender == "unknown@sender.invalid"
    assert "no usable sender address" in (parsed.parse_problem or "")


@pytest.mark.parametrize(
    ("header", "flagged"),
    [
        ("Auto-Submitted: auto-replied", True),
        ("Auto-Submitted: no", False),
        ("X-Autoreply: yes", True),
        ("Precedence: bulk", True),
        ("Precedence: first-class", False),
    ],
)
def test_automatic_mail_is_recognised_by_its_headers(header: str, flagged: bool):
    raw = f"From: a@b.example\r\n{header}\r\nSubject: Re: hi\r\n\r\nI am away.\r\n".encode()
    assert (parse_email(raw).automatic is not None) is flagged


def test_a_delivery_status_report_is_automatic():
    raw = (
        b"From: MAILER-DAEMON@mx.example\r\nSubject: Undelivered\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n--b--\r\n"
    )
    assert "multipart/report" in (parse_email(raw).automatic or "")


@pytest.mark.parametrize(
    "raw",
    [
        b"From: a@b.example\r\nMessage-ID: <\r\nSubject: x\r\n\r\nhello\r\n",
        b"From: a@b.example\r\nMessage-ID: <@>\r\n\r\nhello\r\n",
        b"From: a@b.example\r\nContent-Type: text/plain; charset=unicode_escape\r\n\r\n"
        b"hello \\ud800\r\n",
    ],
    ids=["message-id-open", "message-id-empty", "escape-charset"],
)
def test_mail_the_standard_library_chokes_on_still_becomes_a_ticket(raw: bytes):
    email = parse_email(raw)
    assert "hello" in email.body and email.sender == "a@b.example"
    email.model_dump_json()  # valid Unicode throughout: it can be stored and sent on


@pytest.mark.parametrize(
    "sender",
    [
        b"=?utf-8?q?postmaster=2Cbilling=2Cvictim=40example=2Eorg?=",
        b"a@b.example, c@d.example",
        b"=?utf-8?q?victim=40example=2Eorg=3B_billing=40example=2Eorg?=",
    ],
    ids=["encoded-comma-list", "plain-list", "encoded-semicolon-list"],
)
def test_a_sender_that_is_several_addresses_is_unknown(sender: bytes):
    parsed = parse_email(b"From: " + sender + b"\r\nSubject: x\r\n\r\nhello\r\n")
    assert parsed.sender == "unknown@sender.invalid"
    assert "exactly one" in (parsed.parse_problem or "")


@pytest.mark.parametrize(
    "sender",
    [
        b"=?utf-8?q?Kim=0D=0ALee?= <kim@acme.example>",
        b"=?utf-8?b?S2ltDQpMZWU=?= <kim@acme.example>",
    ],
    ids=["q-encoded", "b-encoded"],
)
def test_a_line_break_in_an_encoded_display_name_is_harmless(sender: bytes):
    parsed = parse_email(b"From: " + sender + b"\r\nSubject: x\r\n\r\nhello\r\n")
    assert parsed.sender == "kim@acme.example" and parsed.parse_problem is None


def test_an_overlong_sender_is_unknown_not_cut_to_another_address():
    parsed = parse_email(b"From: " + b"a" * 400 + b"@acme.example\r\n\r\nhello\r\n")
    assert parsed.sender == "unknown@sender.invalid" and parsed.body == "hello"


def threaded(headers: str) -> list[str]:
    raw = f"From: a@b.example\r\n{headers}\r\n\r\nhello\r\n".encode("utf-8", "surrogateescape")
    email = parse_email(raw)  # a lone surrogate in `headers` stands for a raw Latin-1 byte
    email.model_dump_json()
    return email.references


@pytest.mark.parametrize(
    ("headers", "references"),
    [
        ("In-Reply-To: <c@x.example>\r\nReferences: <a@x.example> <b@x.example>\r\n"
         " <c@x.example>", ["<c@x.example>", "<a@x.example>", "<b@x.example>"]),
        ("References: <a@x.example>\r\n\t<b@x.example>", ["<a@x.example>", "<b@x.example>"]),
        ("References: <a@x.example>,<a@x.example> <b@x.example>", ["<a@x.example>", "<b@x.example>"]),
        ('In-Reply-To: Your message of "Tue, 24 Nov" <c@x.example> (Kim)', ["<c@x.example>"]),
        ("In-Reply-To: <c@x.example> <d@x.example>", ["<c@x.example>"]),
        ("In-Reply-To: c@x.example\r\nReferences: <no-at-sign> <> <@> <a b@x>", []),
        ("In-Reply-To: <\r\nReferences: <<<<a@x.example>> <b@x", ["<a@x.example>"]),
        ("References: <" + "a" * 990 + "@x.example>", []),
        ("References: <caf\udce9@x.example> <b@x.example>", ["<b@x.example>"]),
        ("", []),
    ],
    ids=["reply-first", "folded", "duplicates", "old-style-phrase", "several-parents", "no-ids",
         "broken-brackets", "overlong-id", "undecodable", "none"],
)  # fmt: skip
def test_references_name_the_parent_first_then_the_chain(headers: str, references: list[str]):
    assert threaded(headers) == references


def test_a_long_chain_keeps_the_parent_and_the_newest_references():
    chain = [f"<m{n}@x.example>" for n in range(200)]
    found = threaded(f"In-Reply-To: {chain[150]}\r\nReferences: {' '.join(chain)}")
    newest = [ref for ref in chain if ref != chain[150]][-(MAX_REFERENCES - 1) :]
    assert found == [chain[150], *newest] and len(found) == MAX_REFERENCES
    assert threaded(f"References: {' '.join(chain)}") == chain[-MAX_REFERENCES:]


@pytest.mark.parametrize(
    ("headers", "recipient"),
    [
        ("Delivered-To: support@flowdesk.example\r\nTo: team@flowdesk.example", "support@flowdesk.example"),
        ("To: Flowdesk Support <support@flowdesk.example>", "support@flowdesk.example"),
        ("To: support@flowdesk.example, sales@flowdesk.example", None),
        ("To: =?utf-8?q?support=40flowdesk.example=2C_sales=40flowdesk.example?=", None),
        ("Delivered-To: not an address\r\nTo: support@flowdesk.example", "support@flowdesk.example"),
        ("To: undisclosed-recipients:;", None),
        ("", None),
    ],
    ids=["delivered-to", "single-to", "several-to", "encoded-list", "broken-delivered-to",
         "undisclosed", "none"],
)  # fmt: skip
def test_the_recipient_is_the_one_mailbox_it_reached(headers: str, recipient: str | None):
    raw = f"From: a@b.example\r\n{headers}\r\n\r\nhello\r\n".encode()
    assert parse_email(raw).recipient == recipient
