"""The router's CRM steps on a real SQLite CRM: what a bounce or an unsubscribe mail may
suppress, and which run a message's headers name."""

from pathlib import Path

from activities.mail_routing import MailRoutingActivities
from adapters.crm.crm import SqliteCrm
from adapters.mail.unsubscribe_links import UnsubscribeLinks
from models.routing import RouteOptions, RouteRequest, SuppressRequest
from models.support import InboundEmail
from models.threads import DeliveryReport, MessageRecord

LEAD = "ada@northwind.example"
OPTIONS = RouteOptions(
    support_address="support@flowdesk.example", unsubscribe_address="unsubscribe@flowdesk.example"
)


def sent(message_id: str, workflow_id: str = "outreach-1", direction: str = "out") -> MessageRecord:
    return MessageRecord(
        message_id=message_id, workflow_id=workflow_id, process="outreach",
        direction=direction, address=LEAD, subject="Picking arms",
    )  # type: ignore[arg-type]  # fmt: skip


async def test_a_report_cannot_suppress_an_address_we_never_mailed(tmp_path: Path):
    routing = MailRoutingActivities(SqliteCrm(tmp_path / "crm.sqlite3"))
    forged = SuppressRequest(
        address="ceo@customer.example", reason="bounced", source="bounce report",
        only_if_mailed=True,
    )  # fmt: skip
    done = await routing.suppress_address(forged)
    assert not done.found
    assert await routing.suppression_of("ceo@customer.example") is None


async def test_a_report_suppresses_an_address_we_mailed_and_names_its_runs(tmp_path: Path):
    crm = SqliteCrm(tmp_path / "crm.sqlite3")
    await crm.record_message(sent("<t1@flowdesk.example>"))
    routing = MailRoutingActivities(crm)
    request = SuppressRequest(
        address=LEAD.upper(), reason="bounced", source="b", only_if_mailed=True
    )
    done = await routing.suppress_address(request)
    assert done.found and done.newly and done.outreach_runs == ["outreach-1"]
    assert await routing.suppression_of(LEAD) == "bounced"


async def test_our_own_message_id_cannot_be_claimed_first_by_an_inbound_mail(tmp_path: Path):
    """Message-IDs of our sends are predictable; a stranger's mail logged under one first
    must not capture the answers to our real email."""
    crm = SqliteCrm(tmp_path / "crm.sqlite3")
    await crm.record_message(sent("<t2@flowdesk.example>", "ticket-evil", "in"))
    await crm.record_message(sent("<t2@flowdesk.example>", "outreach-1", "out"))
    answer = InboundEmail(sender=LEAD, body="Yes!", references=["<t2@flowdesk.example>"])
    facts = await MailRoutingActivities(crm).look_up_mail(
        RouteRequest(email=answer, options=OPTIONS)
    )
    assert facts.run is not None and facts.run.workflow_id == "outreach-1"


async def test_a_report_proves_the_addresses_its_cited_message_went_to(tmp_path: Path):
    """A report names addresses in text anyone writes; what counts is the message it
    cites: of the addresses it names, those that message went to (all when it names none)."""
    crm = SqliteCrm(tmp_path / "crm.sqlite3")
    await crm.record_message(sent("<t3@flowdesk.example>"))
    routing = MailRoutingActivities(crm)

    async def reported(report: DeliveryReport) -> list[str]:
        bounce = InboundEmail(sender="mailer-daemon@mx.example", report=report)
        return (await routing.look_up_mail(RouteRequest(email=bounce, options=OPTIONS))).reported

    cites = "<t3@flowdesk.example>"
    assert await reported(
        DeliveryReport(kind="bounce", recipients=[LEAD.upper()], original_message_id=cites)
    ) == [LEAD]
    assert await reported(DeliveryReport(kind="bounce", original_message_id=cites)) == [LEAD]
    assert (
        await reported(
            DeliveryReport(
                kind="bounce", recipients=["ceo@customer.example"], original_message_id=cites
            )
        )
        == []
    )
    assert await reported(DeliveryReport(kind="bounce", recipients=[LEAD])) == []
    assert (
        await reported(DeliveryReport(kind="complaint", original_message_id="<forged@x.example>"))
        == []
    )


async def test_a_mailed_unsubscribe_proves_its_run_by_token_or_by_answering_us(tmp_path: Path):
    """Anyone can mail the unsubscribe address in a lead's name: only our token (the
    mailto's subject) or an answer to our message to that sender names a run."""
    crm = SqliteCrm(tmp_path / "crm.sqlite3")
    await crm.record_message(sent("<t4@flowdesk.example>", "outreach-4"))
    links = UnsubscribeLinks(b"s" * 32, "https://flowdesk.test", "unsubscribe@flowdesk.example")
    routing = MailRoutingActivities(crm, links)

    async def proven(sender: str, subject: str = "unsubscribe", **fields: object) -> str | None:
        mail = InboundEmail(
            sender=sender, subject=subject, recipient="unsubscribe@flowdesk.example", **fields
        )
        return (
            await routing.look_up_mail(RouteRequest(email=mail, options=OPTIONS))
        ).unsubscribe_run

    assert (
        await proven("anyone@else.example", f"unsubscribe {links.token('outreach-4')}")
        == "outreach-4"
    )
    assert await proven(LEAD, references=["<t4@flowdesk.example>"]) == "outreach-4"
    assert await proven(LEAD) is None, "the From alone is anyone's to write"
    assert await proven("eve@stranger.example", references=["<t4@flowdesk.example>"]) is None
    token = links.token("outreach-4")
    altered = token[:-1] + ("1" if token.endswith("0") else "0")
    assert await proven(LEAD, f"unsubscribe {altered}") is None
