"""Mail transports: a Maildir any reader opens, and SMTP against a real server on loopback."""

import mailbox
import os
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from activities.lead_intake import render_welcome
from adapters.errors import Permanent
from adapters.mail.mail import MaildirTransport, SentLedger, SmtpTransport, message_id
from models.common import ListUnsubscribe, OutgoingEmail
from models.lead import CompanyProfile, WelcomeEmailInput
from tests.workflows.fakes import make_lead

SENDER = "Flowdesk <hello@flowdesk.example>"


def message(key: str = "lead-1/welcome", to: str = "ada@northwind.example") -> OutgoingEmail:
    return OutgoingEmail(to=to, subject="Welcome", body="Hello Ada", idempotency_key=key)


async def test_maildir_delivers_a_readable_message_once(tmp_path: Path):
    outbox = MaildirTransport(tmp_path / "outbox", SENDER)
    first = await outbox.send(message())
    second = await outbox.send(message())

    [mail] = list(mailbox.Maildir(tmp_path / "outbox", create=False))
    assert (mail["To"], mail["Subject"], mail["From"]) == (
        "ada@northwind.example",
        "Welcome",
        SENDER,
    )
    assert mail.get_payload().strip() == "Hello Ada"
    assert mail["Message-ID"] == first.message_id == second.message_id
    assert not first.duplicate and second.duplicate


async def test_the_message_id_is_known_before_sending(tmp_path: Path):
    outbox = MaildirTransport(tmp_path / "outbox", SENDER)
    expected = message_id("lead-1/welcome", outbox.sender)
    assert expected.startswith("<") and expected.endswith("@flowdesk.example>")
    assert (await outbox.send(message())).message_id == expected
    [mail] = list(mailbox.Maildir(tmp_path / "outbox", create=False))
    assert mail["Message-ID"] == expected


LINK = "https://flowdesk.example/unsubscribe/" + "b3V0cmVhY2gtM2Y5YTJjNzFlMGI0" * 3 + ".0" * 16
OFFERS = [
    (
        ListUnsubscribe(url=LINK, mailto="unsubscribe@flowdesk.example"),
        f"<{LINK}>, <mailto:unsubscribe@flowdesk.example?subject=unsubscribe>",
        "List-Unsubscribe=One-Click",
    ),
    (
        ListUnsubscribe(mailto="unsubscribe@flowdesk.example"),
        "<mailto:unsubscribe@flowdesk.example?subject=unsubscribe>",
        None,
    ),
]


@pytest.mark.parametrize(("offer", "header", "one_click"), OFFERS)
async def test_list_unsubscribe_headers_offer_one_click_only_with_a_link(
    tmp_path: Path, offer: ListUnsubscribe, header: str, one_click: str | None
):
    outbox = MaildirTransport(tmp_path / "outbox", SENDER)
    await outbox.send(message().model_copy(update={"list_unsubscribe": offer}))
    [mail] = list(mailbox.Maildir(tmp_path / "outbox", create=False))
    assert mail["List-Unsubscribe"] == header, "one line, never an encoded word"
    assert mail["List-Unsubscribe-Post"] == one_click


async def test_mail_without_an_offer_has_no_unsubscribe_headers(tmp_path: Path):
    await MaildirTransport(tmp_path / "outbox", SENDER).send(message())
    [mail] = list(mailbox.Maildir(tmp_path / "outbox", create=False))
    assert mail["List-Unsubscribe"] is None and mail["List-Unsubscribe-Post"] is None


@pytest.mark.parametrize("automatic", [True, False])
async def test_a_reply_sent_without_a_person_says_so_to_auto_responders(
    tmp_path: Path, automatic: bool
):
    outbox = MaildirTransport(tmp_path / "outbox", SENDER)
    await outbox.send(message().model_copy(update={"automatic": automatic}))
    [sent] = mailbox.Maildir(tmp_path / "outbox").values()
    marked = (sent["Auto-Submitted"], sent["X-Auto-Response-Suppress"])
    assert marked == (("auto-replied", "All") if automatic else (None, None))


async def test_message_read_by_a_mail_client_still_counts(tmp_path: Path):
    outbox = MaildirTransport(tmp_path / "outbox", SENDER)
    await outbox.send(message())
    [name] = os.listdir(tmp_path / "outbox" / "new")
    os.rename(tmp_path / "outbox" / "new" / name, tmp_path / "outbox" / "cur" / f"{name}:2,S")
    assert (await outbox.send(message())).duplicate
    assert len(list(mailbox.Maildir(tmp_path / "outbox", create=False))) == 1


async def test_different_keys_are_different_messages(tmp_path: Path):
    outbox = MaildirTransport(tmp_path / "outbox", SENDER)
    await outbox.send(message("lead-1/welcome"))
    await outbox.send(message("lead-2/welcome"))
    assert len(list(mailbox.Maildir(tmp_path / "outbox", create=False))) == 2


@dataclass
class Recorder:
    envelopes: list[Envelope] = field(default_factory=list)
    refuse: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse and address == self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted"


def authenticator(
    server, session: Session, envelope: Envelope, mechanism: str, auth_data
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"bot",
        b"s3cret",
    )
    return AuthResult(success=ok)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def smtp_server(ca: trustme.CA) -> Iterator[tuple[Controller, Recorder]]:
    recorder = Recorder()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_context,
        require_starttls=False,
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    yield controller, recorder
    controller.stop()


def transport(controller: Controller, ca: trustme.CA, tmp_path: Path, **options) -> SmtpTransport:
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    return SmtpTransport(
        "127.0.0.1",
        controller.port,
        SENDER,
        SentLedger(tmp_path / "ledger.sqlite3"),
        tls_context=client_context,
        **options,
    )


async def test_smtp_starttls_with_auth_delivers_once(smtp_server, ca: trustme.CA, tmp_path: Path):
    controller, recorder = smtp_server
    smtp = transport(controller, ca, tmp_path, username="bot", password="s3cret", starttls=True)
    first = await smtp.send(message())
    second = await smtp.send(message())

    assert not first.duplicate and second.duplicate
    assert len(recorder.envelopes) == 1
    assert recorder.envelopes[0].rcpt_tos == ["ada@northwind.example"]
    assert first.message_id.encode() in recorder.envelopes[0].content
    assert first.message_id == message_id("lead-1/welcome", smtp.sender)


async def test_smtp_plain_without_tls(smtp_server, ca: trustme.CA, tmp_path: Path):
    controller, recorder = smtp_server
    offer, header, _ = OFFERS[0]
    sent = message().model_copy(update={"list_unsubscribe": offer})
    await transport(controller, ca, tmp_path, starttls=False).send(sent)
    assert len(recorder.envelopes) == 1
    assert f"List-Unsubscribe: {header}\r\n".encode() in recorder.envelopes[0].original_content


async def test_refused_recipient_is_permanent(smtp_server, ca: trustme.CA, tmp_path: Path):
    controller, recorder = smtp_server
    recorder.refuse = "nobody@northwind.example"
    with pytest.raises(Permanent) as refused:
        await transport(controller, ca, tmp_path, starttls=True).send(
            message(to="nobody@northwind.example")
        )
    assert refused.value.kind == "MailRejected" and not recorder.envelopes
    assert "nobody" not in str(refused.value), "the error is logged: no address in it"


MANY = ["a@x.example, b@y.example", "a@x.example; b@y.example", "a@x.example b@y.example", ""]


@pytest.mark.parametrize("to", MANY)
async def test_smtp_refuses_a_to_that_is_not_one_address(
    smtp_server, ca: trustme.CA, tmp_path: Path, to: str
):
    controller, recorder = smtp_server
    with pytest.raises(Permanent) as refused:
        await transport(controller, ca, tmp_path, starttls=False).send(message(to=to))
    assert refused.value.kind == "InvalidRecipient" and not recorder.envelopes


async def test_smtp_sends_a_named_recipient_to_that_one_address(
    smtp_server, ca: trustme.CA, tmp_path: Path
):
    controller, recorder = smtp_server
    await transport(controller, ca, tmp_path, starttls=False).send(
        message(to="Ada Lovelace <ada@northwind.example>")
    )
    assert recorder.envelopes[0].rcpt_tos == ["ada@northwind.example"]


@pytest.mark.parametrize("to", MANY)
async def test_maildir_refuses_a_to_that_is_not_one_address(tmp_path: Path, to: str):
    with pytest.raises(Permanent) as refused:
        await MaildirTransport(tmp_path / "outbox", SENDER).send(message(to=to))
    assert refused.value.kind == "InvalidRecipient"
    assert not os.listdir(tmp_path / "outbox" / "new")


@pytest.mark.parametrize(
    ("name", "greeted"),
    [("Ada Lovelace", "Ada"), ("Zoë O'Neil", "Zoë"), ("Jean-Luc Picard", "Jean-Luc"),
     ("Call 555-0100 now", "Call"), ("555-0100 call now", None), ("Pay-now.example", None),
     ("Verify:", None),
     ("Abcdefghijklmnopqrstuvwxyzabcdefgh", None)],
)  # fmt: skip
def test_the_welcome_greets_only_a_name_that_reads_as_one(name: str, greeted: str | None):
    """Anyone can type anyone's address into the form: the welcome relays no sentence."""
    subject, body = render_welcome(
        WelcomeEmailInput(
            lead=make_lead(name=name), profile=CompanyProfile(domain="x.example", source="website"),
            tier="B", idempotency_key="k",
        )
    )  # fmt: skip
    assert subject == (f"Welcome to Flowdesk, {greeted}" if greeted else "Welcome to Flowdesk")
    assert body.startswith(f"Hi {greeted or 'there'},")
    assert "555" not in body and "now.example" not in body


def test_welcome_template_is_filled_for_each_tier():
    for tier in ("A", "B", "C"):
        subject, body = render_welcome(
            WelcomeEmailInput(
                lead=make_lead(),
                profile=CompanyProfile(domain="northwind-robotics.example", source="website"),
                tier=tier,
                idempotency_key="k",
            )
        )
        assert subject == "Welcome to Flowdesk, Ada"
        assert body.startswith("Hi Ada,") and "$" not in body
        assert "Northwind" not in body, "no text from the form but a plain first name"
    assert (
        "solutions engineer"
        in render_welcome(
            WelcomeEmailInput(
                lead=make_lead(),
                profile=CompanyProfile(domain="x.example", source="website"),
                tier="A",
                idempotency_key="k",
            )
        )[1]
    )
