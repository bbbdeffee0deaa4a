"""Properties of the inbound parser and the router over generated mail: whatever the
bytes, a ticket and never a crash or a stall; whatever a report or an unsubscribe says,
nothing is suppressed or stopped without the proofs the router asks for."""

import time
from email.message import EmailMessage

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.mail.inbound_mail import parse_email
from inbound.reading import READ_BUDGET_S
from models.routing import MailFacts, RouteOptions
from models.support import InboundEmail
from models.threads import DeliveryReport, RunRef
from policy.mail_routes import choose_route

OPTIONS = RouteOptions(
    support_address="support@flowdesk.example", unsubscribe_address="unsubscribe@flowdesk.example"
)
ADDRESS = st.from_regex(r"[a-z]{1,8}@[a-z]{1,8}\.example", fullmatch=True)
FIELD_NAMES = st.sampled_from(
    ["From", "To", "Subject", "Message-ID", "In-Reply-To", "References", "Content-Type",
     "Content-Transfer-Encoding", "X-Failed-Recipients", "Auto-Submitted", "Return-Path",
     "Delivered-To", "Date", "MIME-Version"]
)  # fmt: skip
FIELD_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=300
) | st.sampled_from(
    ["multipart/report; report-type=delivery-status; boundary=b", "=?utf-8?q?a=2Cb?=",
     "<a@b>", "<", "", "multipart/mixed; boundary=\"\"", "text/html; charset=unicode_escape"]
)  # fmt: skip
PARTS = st.sampled_from(
    ["--b\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; x@y.example"
     "\r\nAction: failed\r\nStatus: 5.1.1\r\n", "--b\r\nContent-Type: text/html\r\n\r\n<script>",
     "--b\r\nContent-Type: message/rfc822\r\n\r\nMessage-ID: <m@flowdesk.example>\r\n\r\nhi",
     "--b--", "--b\r\n", "\r\n.\r\n", "=?x?q?=FF?="]
)  # fmt: skip


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    """Header fields of any text in any order and number, then MIME-looking pieces."""
    fields = draw(st.lists(st.tuples(FIELD_NAMES, FIELD_TEXT), max_size=12))
    head = "".join(f"{name}: {value}\r\n" for name, value in fields)
    body = "\r\n".join(draw(st.lists(PARTS | FIELD_TEXT, max_size=8)))
    return f"{head}\r\n{body}".encode("utf-8", "surrogatepass")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=messages() | st.binary(max_size=4000))
def test_any_bytes_become_a_ticket_within_the_budget(raw: bytes):
    started = time.perf_counter()
    email = parse_email(raw)
    assert time.perf_counter() - started < READ_BUDGET_S
    assert InboundEmail.model_validate_json(email.model_dump_json()) == email
    if email.report is not None:
        text = raw.decode("utf-8", "replace").lower()
        assert all(address in text for address in email.report.recipients), "never invented"


REPORTS = st.builds(
    DeliveryReport,
    kind=st.sampled_from(["bounce", "complaint"]),
    recipients=st.lists(ADDRESS, max_size=3),
    original_message_id=st.none() | st.just("<m@flowdesk.example>"),
)


@given(
    report=st.none() | REPORTS,
    sender=ADDRESS,
    envelope=st.none() | st.just("") | ADDRESS | st.just("MAILER-DAEMON@mx.example"),
    to_unsubscribe=st.booleans(),
    run=st.none()
    | st.builds(RunRef, workflow_id=st.just("outreach-1"), process=st.just("outreach")),
)
def test_nothing_is_suppressed_or_stopped_without_proof(
    report: DeliveryReport | None,
    sender: str,
    envelope: str | None,
    to_unsubscribe: bool,
    run: RunRef | None,
):
    """With no proven address and no proven run, no route suppresses: not a bounce, not a
    complaint, not an unsubscribe by the unsubscribe address."""
    recipient = OPTIONS.unsubscribe_address if to_unsubscribe else OPTIONS.support_address
    email = InboundEmail(
        sender=sender, report=report, envelope_sender=envelope, recipient=recipient,
        body="Please take me off your list.",
    )  # fmt: skip
    route = choose_route(email, MailFacts(run=run), OPTIONS)
    assert route.kind not in ("bounce", "complaint")
    if to_unsubscribe:
        assert route.kind != "unsubscribe"


@given(
    sender=ADDRESS,
    subject=st.text(st.characters(exclude_categories=["Cc", "Cs", "Zl", "Zp"]), max_size=80),
)
def test_a_built_message_keeps_its_sender_and_subject(sender: str, subject: str):
    mail = EmailMessage()
    mail["From"], mail["To"] = sender, "support@flowdesk.example"
    mail["Subject"] = subject
    mail.set_content("Where is my invoice?")
    email = parse_email(mail.as_bytes())
    assert email.sender == sender
    assert email.subject == " ".join(subject.split())[:998]
