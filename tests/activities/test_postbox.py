"""The one send path, on the real CRM and a real Maildir: suppressed addresses get
nothing, every message is logged with its run, outreach offers one-click unsubscribe."""

import mailbox
from pathlib import Path

import pytest

from activities.factory import postbox
from activities.postbox import Postbox
from adapters.crm.crm import SqliteCrm
from adapters.errors import Permanent
from adapters.mail.mail import message_id
from adapters.mail.unsubscribe_links import UnsubscribeLinks
from adapters.wiring import unsubscribe_links
from config.doors import InboundSettings, WebSettings
from config.settings import AppSettings
from models.common import OutgoingEmail, SendResult
from models.threads import MAX_THREAD_BODY, RunRef, Suppression
from tests.activities.mailing import LINKS, maildir_postbox

LEAD = "ada@northwind.example"


def touch(key: str = "outreach-1/touch-1", to: str = LEAD, body: str = "Hi Ada") -> OutgoingEmail:
    return OutgoingEmail(to=to, subject="Picking arms", body=body, idempotency_key=key)


def outbox(tmp_path: Path) -> list[mailbox.MaildirMessage]:
    return list(mailbox.Maildir(tmp_path / "outbox", create=False))


async def test_outreach_mail_offers_one_click_unsubscribe_for_its_run(tmp_path: Path):
    await maildir_postbox(tmp_path).send(touch(), "outreach-1", "outreach")

    [mail] = outbox(tmp_path)
    link, mailto = (part.strip(" <>") for part in mail["List-Unsubscribe"].split(","))
    assert link.startswith("https://flowdesk.test/unsubscribe/")
    assert LINKS.verify(link.rpartition("/")[2]) == "outreach-1"
    address, _, subject = mailto.partition("?subject=unsubscribe%20")
    assert address == "mailto:unsubscribe@flowdesk.example"
    assert LINKS.verify(subject) == "outreach-1", "the mailto proves the run it unsubscribes"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize("process", ["intake", "support", "notice"])
async def test_other_mail_offers_no_unsubscribe(tmp_path: Path, process):
    await maildir_postbox(tmp_path).send(touch(), "run-1", process)
    [mail] = outbox(tmp_path)
    assert mail["List-Unsubscribe"] is None and mail["List-Unsubscribe-Post"] is None


async def test_without_a_link_secret_outreach_offers_the_mailto_only(tmp_path: Path):
    links = UnsubscribeLinks(None, "https://flowdesk.test", "unsubscribe@flowdesk.example")
    await maildir_postbox(tmp_path, links=links).send(touch(), "outreach-1", "outreach")
    [mail] = outbox(tmp_path)
    assert mail["List-Unsubscribe"] == "<mailto:unsubscribe@flowdesk.example?subject=unsubscribe>"
    assert mail["List-Unsubscribe-Post"] is None


async def test_an_answer_to_the_sent_message_finds_its_run(tmp_path: Path):
    long_body = "x" * (MAX_THREAD_BODY + 10)
    sent = await maildir_postbox(tmp_path).send(
        touch(to="Ada Lovelace <Ada@Northwind.example>", body=long_body), "outreach-1", "outreach"
    )

    crm = SqliteCrm(tmp_path / "crm.sqlite3")
    [mail] = outbox(tmp_path)
    assert mail["Message-ID"] == sent.message_id
    run = await crm.find_run([sent.message_id])
    assert run == RunRef(workflow_id="outreach-1", process="outreach")
    assert await crm.runs_to(LEAD, "outreach") == ["outreach-1"]
    assert await crm.address_of("outreach-1") == LEAD
    [logged] = await crm.thread("outreach-1", 10)
    assert (logged.direction, logged.subject) == ("out", "Picking arms")
    assert logged.body == long_body[:MAX_THREAD_BODY]


async def test_a_suppressed_address_gets_nothing_and_nothing_is_logged(tmp_path: Path):
    crm = SqliteCrm(tmp_path / "crm.sqlite3")
    await crm.suppress(Suppression(address="ADA@northwind.example", reason="bounced", source="t"))

    with pytest.raises(Permanent) as refused:
        await maildir_postbox(tmp_path).send(touch(), "outreach-1", "outreach")
    assert refused.value.kind == "Suppressed"
    assert (
        str(refused.value) == "the address is on the suppression list (bounced); nothing was sent"
    )
    assert LEAD not in str(refused.value)
    assert outbox(tmp_path) == []
    assert await crm.runs_to(LEAD, "outreach") == []


async def test_mail_to_several_addresses_is_refused_before_anything_is_logged(tmp_path: Path):
    with pytest.raises(Permanent) as refused:
        await maildir_postbox(tmp_path).send(
            touch(to="ada@northwind.example, eve@elsewhere.example"), "outreach-1", "outreach"
        )
    assert refused.value.kind == "InvalidRecipient"
    assert await SqliteCrm(tmp_path / "crm.sqlite3").thread("outreach-1", 10) == []


async def test_a_retried_send_delivers_and_logs_once(tmp_path: Path):
    box = maildir_postbox(tmp_path)
    first = await box.send(touch(), "outreach-1", "outreach")
    again = await box.send(touch(), "outreach-1", "outreach")
    assert not first.duplicate and again.duplicate and first.message_id == again.message_id
    assert len(outbox(tmp_path)) == 1
    assert len(await SqliteCrm(tmp_path / "crm.sqlite3").thread("outreach-1", 10)) == 1


class RecordingTransport:
    """Looks the message up in the log the instant it is handed over: an answer to it can
    arrive no earlier than that."""

    name = "recording"
    sender = "Flowdesk <hello@flowdesk.example>"

    def __init__(self, crm: SqliteCrm) -> None:
        self.crm = crm
        self.logged_at_send: RunRef | None = None

    async def send(self, message: OutgoingEmail) -> SendResult:
        named = message_id(message.idempotency_key, self.sender)
        self.logged_at_send = await self.crm.find_run([named])
        return SendResult(message_id=named, transport=self.name, duplicate=False)


async def test_the_message_is_logged_before_it_is_sent(tmp_path: Path):
    crm = SqliteCrm(tmp_path / "crm.sqlite3")
    transport = RecordingTransport(crm)
    await Postbox(transport, crm, LINKS).send(touch(), "outreach-1", "outreach")
    assert transport.logged_at_send == RunRef(workflow_id="outreach-1", process="outreach")


async def test_a_link_the_worker_mints_is_one_the_web_service_accepts(tmp_path: Path):
    app = AppSettings(data_dir=tmp_path, mail_transport="maildir", link_secret="k" * 40)
    web, inbound = WebSettings(public_url="https://flowdesk.example.com"), InboundSettings()
    await postbox(app, web, inbound, SqliteCrm(app.crm_path)).send(
        touch(), "outreach-1", "outreach"
    )

    [mail] = outbox(tmp_path)
    link = mail["List-Unsubscribe"].split(",")[0].strip("<>")
    assert link.startswith("https://flowdesk.example.com/unsubscribe/")
    checker = unsubscribe_links(app, WebSettings(public_url="https://elsewhere.example"), inbound)
    assert checker.verify(link.rpartition("/")[2]) == "outreach-1"


@pytest.mark.parametrize(
    ("reason", "process", "sent"),
    [
        ("unsubscribed", "outreach", False),
        ("complained", "intake", False),
        ("unsubscribed", "support", True),
        ("complained", "support", True),
        ("bounced", "support", False),
        ("unsubscribed", "notice", True),
    ],
)
async def test_unsubscribing_stops_outreach_but_not_the_answer_to_a_ticket(
    tmp_path: Path, reason: str, process: str, sent: bool
):
    crm = SqliteCrm(tmp_path / "crm.sqlite3")
    await crm.suppress(Suppression(address=LEAD, reason=reason, source="t"))  # type: ignore[arg-type]
    try:
        await maildir_postbox(tmp_path).send(touch(), "run-1", process)  # type: ignore[arg-type]
    except Permanent as refused:
        assert refused.kind == "Suppressed"
    assert len(outbox(tmp_path)) == (1 if sent else 0)
