"""Bounces and complaints as Postfix, Exim, Gmail and feedback loops send them, and the
broken ones nobody sends on purpose: every one parses, and only failures suppress."""

import pytest

from adapters.mail.inbound_mail import parse_email
from models.threads import DeliveryReport


def raw(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode()


def report(text: str) -> DeliveryReport | None:
    email = parse_email(raw(text))
    email.model_dump_json()  # whatever it found can be stored and sent on
    return email.report


POSTFIX = """\
From: MAILER-DAEMON@mx.flowdesk.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="8A1B2C3D4E.1764000000/mx.flowdesk.example"

--8A1B2C3D4E.1764000000/mx.flowdesk.example
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not be delivered.

--8A1B2C3D4E.1764000000/mx.flowdesk.example
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.flowdesk.example
X-Postfix-Queue-ID: 8A1B2C3D4E

{blocks}
--8A1B2C3D4E.1764000000/mx.flowdesk.example
Content-Type: text/rfc822-headers

Message-ID: <9f2c@flowdesk.example>
To: Kim.Lee@Acme.example

--8A1B2C3D4E.1764000000/mx.flowdesk.example--
"""
FAILED = """\
Final-Recipient: rfc822; Kim.Lee@Acme.example
Original-Recipient: rfc822;Kim.Lee@Acme.example
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <Kim.Lee@Acme.example>: Recipient address
    rejected: User unknown in virtual mailbox table
"""
DELAYED = "Final-Recipient: rfc822; ana@acme.example\nAction: delayed\nStatus: 4.4.1\n"

EXIM = """\
X-Failed-Recipients: kim@acme.example
Auto-Submitted: auto-replied
From: Mail Delivery System <Mailer-Daemon@mx.acme.example>
Content-Type: multipart/report; report-type=delivery-status; boundary=1764000001-eximdsn-18
Subject: Mail delivery failed: returning message to sender

--1764000001-eximdsn-18
Content-type: text/plain; charset=us-ascii

A message that you sent could not be delivered to one or more of its recipients.

--1764000001-eximdsn-18
Content-type: message/delivery-status

Reporting-MTA: dns; mx.acme.example

Action: failed
Final-Recipient: rfc822;kim@acme.example
Status: 5.0.0

--1764000001-eximdsn-18
Content-type: message/rfc822

Message-ID: <9f2c@flowdesk.example>
To: kim@acme.example

Hello Kim
--1764000001-eximdsn-18--
"""

GMAIL = """\
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
Auto-Submitted: auto-replied
Subject: Delivery Status Notification (Failure)
X-Failed-Recipients: kim@acme.example
Content-Type: multipart/report; boundary="000000000000e2c9f1"; report-type=delivery-status

--000000000000e2c9f1
Content-Type: multipart/related; boundary="000000000000e2d3b9"

--000000000000e2d3b9
Content-Type: text/plain; charset="UTF-8"

Your message wasn't delivered to kim@acme.example because the address couldn't be found.
--000000000000e2d3b9--

--000000000000e2c9f1
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com

Final-Recipient: rfc822; kim@acme.example
Action: failed
Status: 5.1.1

--000000000000e2c9f1
Content-Type: message/rfc822

Message-ID: <9f2c@flowdesk.example>
To: kim@acme.example

Hello Kim
--000000000000e2c9f1--
"""

ARF = """\
From: Feedback Loop <fbl@mail.example>
Subject: FW: Quick question
Content-Type: multipart/report; report-type=feedback-report;
     boundary="part1_13d.2e68ed54_boundary"

--part1_13d.2e68ed54_boundary
Content-Type: text/plain; charset="US-ASCII"

This is an email abuse report for an email message received from IP 192.0.2.1.

--part1_13d.2e68ed54_boundary
Content-Type: message/feedback-report

Feedback-Type: {feedback_type}
User-Agent: SomeGenerator/1.0
Version: 1
Original-Mail-From: <outreach@flowdesk.example>
{rcpt}Source-IP: 192.0.2.1

--part1_13d.2e68ed54_boundary
Content-Type: message/rfc822

From: <outreach@flowdesk.example>
To: {to}
Message-ID: <9f2c@flowdesk.example>

Hello
--part1_13d.2e68ed54_boundary--
"""


def arf(feedback_type: str = "abuse", rcpt: str = "", to: str = "<kim@acme.example>") -> str:
    return ARF.format(feedback_type=feedback_type, rcpt=rcpt, to=to)


KIM = "kim@acme.example"
OURS = "<9f2c@flowdesk.example>"
BOUNCED = POSTFIX.format(blocks=FAILED)
NOT_FAILED = ["delayed", "delivered", "relayed", "expanded", "Delayed"]


def bounce(*recipients: str, original: str | None = OURS) -> DeliveryReport:
    return DeliveryReport(kind="bounce", recipients=list(recipients), original_message_id=original)


def failed(address: str = f"rfc822; {KIM}", action: str = "failed", status: str = "") -> str:
    return POSTFIX.format(blocks=f"Final-Recipient: {address}\nAction: {action}\n{status}")


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        (POSTFIX.format(blocks=FAILED + "\n" + DELAYED), bounce("kim.lee@acme.example")),
        (EXIM, bounce(KIM)),
        (GMAIL, bounce(KIM)),
        (
            "From: Mail Delivery System <Mailer-Daemon@mx.acme.example>\n"
            "X-Failed-Recipients: kim@acme.example, Ana <ANA@acme.example>, not-an-address\n"
            "Subject: Mail delivery failed\n\n"
            "------ This is a copy of the message, including all the headers. ------\n"
            "Message-ID: <9f2c@flowdesk.example>\n",
            bounce(KIM, "ana@acme.example", original=None),
        ),
        (
            POSTFIX.format(
                blocks=DELAYED + "\nFinal-Recipient: utf-8; kim@acmé.example\nAction: failed\n"
            ).replace("message/delivery-status", "message/global-delivery-status"),
            bounce("kim@acmé.example"),
        ),
        (
            BOUNCED.replace("message/delivery-status", "text/delivery-status"),
            bounce("kim.lee@acme.example"),
        ),
    ],
    ids=["postfix", "exim", "gmail", "exim-legacy-text", "global-utf8", "text-delivery-status"],
)
def test_real_bounces_name_the_failed_recipients_and_our_message(
    sample: str, expected: DeliveryReport
):
    assert report(sample) == expected


@pytest.mark.parametrize(
    ("sample", "recipients"),
    [
        (failed(action="", status="Status: 5.2.2\n"), [KIM]),
        (failed(action="FAILED", status="Status: x\n"), [KIM]),
        (failed(f"utf-8; {KIM}"), [KIM]),
        (failed(KIM), [KIM]),
        (failed("=?utf-8?q?rfc822=3B_kim=40acme.example?="), [KIM]),
        (failed("rfc822; a@b.example, c@d.example"), []),
        (failed("rfc822; <>"), []),
        (POSTFIX.format(blocks="Action: failed\n"), []),
        (raw(failed()).replace(b"kim@", b"caf\xe9@"), []),
    ],
    ids=["status-only", "garbage-status", "utf8-type", "no-type", "encoded-word", "a-list",
         "empty", "no-address", "undecodable"],
)  # fmt: skip
def test_a_failure_counts_even_when_its_fields_are_odd(sample: str | bytes, recipients: list[str]):
    email = parse_email(sample if isinstance(sample, bytes) else raw(sample))
    assert email.report == bounce(*recipients)  # no address: our message id still routes it


@pytest.mark.parametrize(
    "sample",
    [
        *(failed(action=action, status="Status: 4.4.7\n") for action in NOT_FAILED),
        failed(action="frobnicated", status="Status: 2.0.0\n"),
        failed(action="", status="Status: five\n"),
        failed(action="", status="Status: 4.5.1\n"),
        POSTFIX.format(blocks="this is not a field\n\nnor is this\n"),
        POSTFIX.format(blocks=""),
        BOUNCED.replace("report-type=delivery-status;", ""),
        BOUNCED.replace("Content-Type: message/delivery-status", "Content-Type: text/plain"),
        BOUNCED.replace('boundary="8A1B2C3D4E.1764000000/mx.flowdesk.example"', ""),
        "From: MAILER-DAEMON@x.example\nContent-Type: multipart/report; report-type=delivery-status\n\nx",
        BOUNCED[: BOUNCED.index("Content-Type: message/delivery-status")],
    ],
    ids=[*NOT_FAILED, "unknown-action", "garbage-status", "temporary-status", "not-fields", "no-blocks",
         "no-report-type", "no-status-part", "no-boundary", "not-multipart", "cut-short"],
)  # fmt: skip
def test_a_report_without_a_failure_is_none_and_stays_automatic(sample: str):
    email = parse_email(raw(sample))
    assert email.report is None and email.automatic is not None


def test_a_huge_recipient_list_is_cut_to_twenty():
    users = [f"u{n}@acme.example" for n in range(2000)]
    blocks = "\n".join(f"Final-Recipient: rfc822; {user}\nAction: failed\n" for user in users)
    assert report(POSTFIX.format(blocks=blocks)) == bounce(*users[:20])
    listed = f"From: MAILER-DAEMON@x.example\nX-Failed-Recipients: {', '.join(users)}\n\nx\n"
    assert report(listed) == bounce(*users[:20], original=None)


@pytest.mark.parametrize(
    ("sample", "original"),
    [
        (BOUNCED.replace(f"Message-ID: {OURS}", "Message-ID: <"), None),
        (BOUNCED.replace(f"Message-ID: {OURS}", "Message-ID: 9f2c@x"), None),
        (BOUNCED.replace("text/rfc822-headers", "text/plain"), None),
        (EXIM.replace("Message-ID: <9f2c", "Message-ID: (ours) <9f2c"), OURS),
    ],
    ids=["open-bracket", "no-brackets", "no-original-part", "comment"],
)
def test_the_original_message_id_is_taken_only_when_it_is_one(sample: str, original: str | None):
    found = report(sample)
    assert found is not None and found.original_message_id == original


@pytest.mark.parametrize(
    ("sample", "recipients"),
    [
        (arf(rcpt="Original-Rcpt-To: <Kim@Acme.example>\n", to="<someone@acme.example>"), [KIM]),
        (arf(to="Kim Lee <kim@acme.example>"), [KIM]),
        (arf(to="kim@acme.example, ana@acme.example"), []),
        (arf(to="<Undisclosed Recipients>"), []),
        ("X-Failed-Recipients: ana@acme.example\n" + arf(), [KIM]),
    ],
    ids=["original-rcpt-to", "single-to", "several-to", "redacted-to", "with-x-failed"],
)
def test_a_complaint_names_who_complained(sample: str, recipients: list[str]):
    expected = DeliveryReport(kind="complaint", recipients=recipients, original_message_id=OURS)
    assert report(sample) == expected


@pytest.mark.parametrize(
    "sample",
    [
        arf(feedback_type="not-spam"),
        arf(feedback_type="auth-failure"),
        arf(feedback_type=""),
        arf().replace("Content-Type: message/feedback-report", "Content-Type: text/plain"),
    ],
    ids=["not-spam", "dmarc-failure", "no-type", "no-feedback-part"],
)
def test_feedback_that_is_no_complaint_is_none(sample: str):
    assert report(sample) is None
