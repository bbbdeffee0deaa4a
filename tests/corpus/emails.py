"""The mail corpus: RFC 822 bytes as they reach the SMTP listener, most of them broken.

The four demo support emails are damaged byte by byte and header by header (seeded),
then hand-written cases add what senders and attackers actually send: address lists in
encoded-words, header injection, charsets that are not charsets, broken transfer
encodings, runaway MIME nesting, oversized everything.
"""

import random
from dataclasses import dataclass
from pathlib import Path

from tests.corpus.mutate import BYTE_MUTATORS, ENCODED_WORD_LIST, NASTY_STRINGS

EXAMPLES = sorted((Path(__file__).parents[2] / "examples/support").glob("*.eml"))
SENDER = "kim.lee@acme.example"
BODY = "Where can I download the invoice for October?"
HEADERS = (
    "From", "To", "Subject", "Message-ID", "In-Reply-To", "References", "Date",
    "Content-Type", "Content-Transfer-Encoding", "Auto-Submitted", "Delivered-To",
)  # fmt: skip


@dataclass(frozen=True)
class MailCase:
    label: str
    raw: bytes
    body_intact: bool = False
    """The body was not touched: whatever the headers say, its text must survive."""


def mail(*headers: str, body: str = BODY, raw_body: bytes | None = None) -> bytes:
    head = "\r\n".join(headers).encode("utf-8", "surrogatepass")
    return head + b"\r\n\r\n" + (raw_body if raw_body is not None else body.encode())


def plain(*extra: str, sender: str = SENDER, **kwargs: object) -> bytes:
    return mail(f"From: Kim Lee <{sender}>", "To: support@flowdesk.example",
                "Subject: Invoice", *extra, **kwargs)  # type: ignore[arg-type]  # fmt: skip


def _header_mutants(seed: int, count: int) -> list[MailCase]:
    rng = random.Random(seed)
    cases = []
    for number in range(count):
        name = rng.choice(HEADERS)
        pick = rng.randrange(len(NASTY_STRINGS))
        others = [f"{h}: ok" for h in HEADERS[1:3] if h != name]
        raw = mail(f"From: {SENDER}", *others, f"{name}: {NASTY_STRINGS[pick]}")
        cases.append(MailCase(f"{seed}/{number}: {name}=nasty[{pick}]", raw, body_intact=True))
    return cases


def _byte_mutants(seed: int, per_example: int) -> list[MailCase]:
    rng = random.Random(seed)
    cases = []
    for path in EXAMPLES:
        raw = path.read_bytes()
        for number in range(per_example):
            what, damaged = BYTE_MUTATORS[number % 4](raw, rng)  # cut, bad utf-8, flip, control
            cases.append(MailCase(f"{path.stem} {seed}/{number}: {what}", damaged))
    return cases


def _nested(depth: int) -> bytes:
    opening = b"".join(
        b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (n, n + 1)
        for n in range(depth)
    )
    return plain("Content-Type: multipart/mixed; boundary=b0", raw_body=opening + BODY.encode())


HAND_WRITTEN: dict[str, bytes] = {
    "From is an encoded-word address list": plain(sender="x", body=BODY).replace(
        b"Kim Lee <x>", ENCODED_WORD_LIST.encode()
    ),
    "From display name is an encoded address": plain().replace(
        b"Kim Lee", b"=?utf-8?q?postmaster=40flowdesk=2Eexample?="
    ),
    "From local part is an encoded-word": plain(sender=f"{ENCODED_WORD_LIST}@evil.example"),
    "From names two addresses": plain(sender="a@acme.example>, <victim@example.org"),
    "From folded into a Bcc": plain(sender="kim@acme.example>\r\nBcc: <victim@example.org"),
    "Subject folded into a Bcc": plain("Subject: hi\r\nBcc: victim@example.org"),
    "two From headers": plain("From: victim@example.org"),
    "no headers at all": b"\r\n\r\n" + BODY.encode(),
    "headers only, no blank line": b"From: kim@acme.example\r\nSubject: x",
    "only NUL bytes": b"\x00" * 5000,
    "empty message": b"",
    "bare LF line ends": plain().replace(b"\r\n", b"\n"),
    "bare CR line ends": plain().replace(b"\r\n", b"\r"),
    "8-bit invalid UTF-8 in headers": plain().replace(
        b"Subject: Invoice", b"Subject: caf\xe9 \xff"
    ),
    "NUL inside the body": plain(body=f"before\x00after {BODY}"),
    "charset unicode_escape": plain(
        "Content-Type: text/plain; charset=unicode_escape",
        raw_body=b"\\ud800 \\x00 " + BODY.encode(),
    ),
    "charset utf-7": plain("Content-Type: text/plain; charset=utf-7", raw_body=b"+AGEAYgBj-"),
    "charset klingon": plain("Content-Type: text/plain; charset=klingon"),
    "charset of 5000 characters": plain(f"Content-Type: text/plain; charset={'x' * 5000}"),
    "charset utf-16 with odd bytes": plain(
        "Content-Type: text/plain; charset=utf-16", raw_body=b"\xff"
    ),
    "charset quoted and unclosed": plain('Content-Type: text/plain; charset="utf-8'),
    "base64 that is not base64": plain("Content-Transfer-Encoding: base64", body="!!!!@@@@"),
    "quoted-printable cut mid-escape": plain(
        "Content-Transfer-Encoding: quoted-printable", body="caf=C3=A"
    ),
    "uuencode transfer encoding": plain(
        "Content-Transfer-Encoding: x-uuencode", body="begin 644 x\n"
    ),
    "encoded-word Subject in base64 garbage": plain("Subject: =?utf-8?b?!!!?="),
    "encoded-word Subject in an unknown charset": plain("Subject: =?klingon?q?Qapla=27?="),
    "encoded-word Subject with a CRLF inside": plain(
        "Subject: =?utf-8?q?hi=0D=0ABcc=3A_x=40y=2Eorg?="
    ),
    "multipart without a boundary": plain("Content-Type: multipart/mixed"),
    "multipart never closed": plain(
        "Content-Type: multipart/alternative; boundary=zz",
        body="--zz\r\nContent-Type: text/plain\r\n\r\n" + BODY,
    ),
    "multipart nested 400 deep": _nested(400),
    "HTML only with a 200 KB attribute": plain(
        "Content-Type: text/html", body=f'<p title="{"a" * 200_000}">{BODY}</p>'
    ),
    "HTML with an unclosed script": plain("Content-Type: text/html", body="<script>" + BODY * 50),
    "body of 30,000 characters": plain(body=BODY + " x" * 15_000),
    "message over the raw limit": plain(body=BODY + "y" * 2_100_000),
    "one header line of 100 KB": plain("X-Junk: " + "j" * 100_000),
    "5000 headers": plain(*[f"X-H{n}: v" for n in range(5000)]),
    "References of 100,000 ids": plain(
        "References: " + " ".join(f"<{n}@x>" for n in range(100_000))
    ),
    "Date in the year 99999": plain("Date: Mon, 1 Jan 99999 00:00:00 +0000"),
    "Date with a +9999 zone": plain("Date: Mon, 1 Jan 2026 00:00:00 +9999"),
    "Date with no zone": plain("Date: Mon, 1 Jan 2026 00:00:00"),
    "Message-ID of just <": plain("Message-ID: <"),
    "Message-ID of 5000 characters": plain(f"Message-ID: <{'m' * 5000}@acme.example>"),
    "Delivered-To is a list": plain("Delivered-To: support@flowdesk.example, victim@example.org"),
    "Auto-Submitted: no is a person": plain("Auto-Submitted: no"),
    "a report with a garbage status part": plain(
        "Content-Type: multipart/report; report-type=delivery-status; boundary=r",
        body="--r\r\nContent-Type: message/delivery-status\r\n\r\n\x00\xff junk\r\n--r--",
    ),
}


def mail_corpus() -> list[MailCase]:
    cases = _header_mutants(seed=21, count=30)
    cases += _byte_mutants(seed=22, per_example=10)
    cases += [MailCase(label, raw) for label, raw in HAND_WRITTEN.items()]
    cases += [MailCase(f"example {path.stem}", path.read_bytes()) for path in EXAMPLES]
    return cases
